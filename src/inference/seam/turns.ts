/** One job at a time, in the order they ask: the worker's models are not safe to share. */
export class Turns {
  private last: Promise<void> = Promise.resolve();

  /** Runs `job` once every job asked for before it has finished; resolves with its result. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    const previous = this.last;
    let done!: () => void;
    this.last = new Promise<void>((resolve) => (done = resolve));
    await previous;
    try {
      return await job();
    } finally {
      done();
    }
  }
}
