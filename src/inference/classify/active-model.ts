/**
 * The worker's active model and the backend it runs on. Changing backend watches the new one
 * for loss (once) and drops the second model, whose tensors belong to the old backend.
 */
import type { BackendName } from '../protocol';
import type { Classifier } from './classifier';
import type { SecondModel } from './second-model';

/** See the file comment. */
export class ActiveModel {
  classifier: Classifier | null = null;
  backend: BackendName | null = null;

  constructor(
    private readonly second: SecondModel,
    /** calls `onLost` if the backend's GPU goes away */
    private readonly watchBackend: (backend: BackendName, onLost: (reason: string) => void) => void,
    /** told when the backend in use is lost */
    private readonly onLost: (backend: BackendName, reason: string) => void,
  ) {}

  /** Makes `next` the active classifier, disposing the one it replaces. */
  replace(next: Classifier | null): void {
    if (this.classifier && this.classifier !== next) this.classifier.dispose();
    this.classifier = next;
  }

  /** Runs on `backend` from now on; returns whether that is a change. */
  useBackend(backend: BackendName): boolean {
    if (backend === this.backend) return false;
    this.backend = backend;
    this.second.drop();
    this.watchBackend(backend, (reason) => {
      if (this.backend === backend) this.onLost(backend, reason);
    });
    return true;
  }
}
