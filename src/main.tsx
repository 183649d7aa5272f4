import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import { getInferenceClient } from './app/inference-client';
import './app/app.css';

// The worker's script (TensorFlow.js, ≈ 2.4 MB) loads while React renders the first frame.
getInferenceClient().start();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
