/**
 * The Keras-export part of the worker contract: a trained model as a Keras `.h5` weights file
 * in the layout of Keras' own application files, with the Python that loads it.
 * `../protocol.ts` joins these into the one request map.
 */

/** A Keras `.h5` export, ready to download. */
export interface KerasH5Export {
  bytes: ArrayBuffer;
  /** `<name>.h5` (not `.weights.h5`, which Keras 3 reads with its newer loader) */
  fileName: string;
  /** 'application': a Keras application + Dense head; 'whole': any other model, as built */
  kind: 'application' | 'whole';
  /** e.g. "InceptionV3(include_top=False, pooling='avg') + Dense(3, softmax)" */
  description: string;
  /** the few lines of Python that rebuild the model and call `load_weights` */
  python: string;
}

/** Keras export requests. */
export interface KerasExportRequests {
  /** the model trained last in Teach (`key: null`), or a stored model, as a Keras `.h5` */
  'export-h5': { request: { key: string | null }; reply: KerasH5Export };
}
