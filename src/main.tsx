import { StrictMode, startTransition } from 'react';
import { createRoot } from 'react-dom/client';
import { getInferenceClient } from './app/inference-client';
import { watchInstallOffer } from './features/pwa/install-offer';
import './app/app.css';

// The worker's script (TensorFlow.js, ≈ 2.4 MB) loads while React renders the first frame.
getInferenceClient().start();
// The browser's install offer can come before the app's chunk has loaded: caught from here.
watchInstallOffer();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
// The app's own code is a chunk of its own (preloaded with this one), so the browser evaluates
// React and the app in two tasks rather than one long one on the first visit; the first render is
// a transition, which React draws in slices of a few milliseconds, yielding between them.
void import('./app/app').then(({ App }) =>
  startTransition(() =>
    createRoot(root).render(
      <StrictMode>
        <App />
      </StrictMode>,
    ),
  ),
);
