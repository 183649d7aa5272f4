/** Worker-side diagnostics: what TensorFlow.js holds, and a simulated GPU loss for tests. */
import * as tf from '@tensorflow/tfjs';
import type { BackendRequests } from '../protocol';
import type { Handlers } from '../seam/handlers';
import { simulateBackendLoss } from './backend-loss';

/** Handlers of the backends' diagnostics requests ('memory', 'simulate-backend-loss'). */
export const diagnosticsHandlers: Handlers<keyof BackendRequests> = {
  memory: () => {
    const { numTensors, numBytes } = tf.memory();
    return Promise.resolve({ numTensors, numBytes, backend: tf.getBackend() });
  },
  'simulate-backend-loss': () => Promise.resolve({ backend: simulateBackendLoss() }),
};
