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
/** Says on the page that the app's code did not arrive, and offers to try again. */
function showLoadError(page: HTMLElement, error: unknown): void {
  const alert = document.createElement('div');
  alert.setAttribute('role', 'alert');
  alert.dataset.testid = 'app-load-error';
  const text = document.createElement('p');
  text.textContent = `Inception Lens could not load its code (${error instanceof Error ? error.message : String(error)}). Check the connection, then reload.`;
  const again = document.createElement('button');
  again.type = 'button';
  again.textContent = 'Reload';
  again.addEventListener('click', () => location.reload());
  alert.append(text, again);
  page.replaceChildren(alert);
}

// The app's own code is a chunk of its own, fetched when this script runs, so the browser
// evaluates React and the app in two tasks rather than one long one on the first visit; the first
// render is a transition, which React draws in slices of a few milliseconds, yielding between
// them. If that chunk cannot be fetched (a dropped connection on a first visit), the page says so.
import('./app/app').then(
  ({ App }) =>
    startTransition(() =>
      createRoot(root).render(
        <StrictMode>
          <App />
        </StrictMode>,
      ),
    ),
  (error: unknown) => showLoadError(root, error),
);
