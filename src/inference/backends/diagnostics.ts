/** Worker-side diagnostics: what TensorFlow.js holds, and a simulated GPU loss for tests. */
import * as tf from '@tensorflow/tfjs';
import { simulateBackendLoss } from './backend-loss';
import type { FeatureHandler } from '../seam/service';

/** Feature handlers for the 'memory' and 'simulate-backend-loss' requests. */
export const diagnosticsFeatures: Record<'memory' | 'simulate-backend-loss', FeatureHandler> = {
  memory: (request, context) => {
    const { numTensors, numBytes } = tf.memory();
    context.post({
      type: 'memory-result',
      id: request.id,
      numTensors,
      numBytes,
      backend: tf.getBackend(),
    });
    return Promise.resolve();
  },
  'simulate-backend-loss': (request, context) => {
    const backend = simulateBackendLoss();
    context.post({ type: 'simulate-backend-loss-result', id: request.id, backend });
    return Promise.resolve();
  },
};
