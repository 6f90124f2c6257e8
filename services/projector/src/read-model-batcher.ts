import type { ProjectionBatch, ReadModel } from '@vigil/store';

interface Pending {
  readonly batch: ProjectionBatch;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Groups the read-model writes of one turn of the event loop: the projector's partition workers wake together on the
 * same append, and their batches go to the read model in one `applyMany` (one SQLite transaction, one commit) rather
 * than one transaction each. Each caller is answered after that write; if it fails, every caller of the group gets the
 * error and retries its own batch (applying is idempotent by checkpoint, so what did land is not folded twice). A read
 * model without `applyMany` gets the batches one by one.
 */
export class ReadModelBatcher {
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(private readonly readModel: ReadModel) {}

  /** Resolves once `batch` is folded, together with the other batches of this turn. */
  apply(batch: ProjectionBatch): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ batch, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const group = this.#pending;
    this.#pending = [];
    try {
      if (this.readModel.applyMany) await this.readModel.applyMany(group.map((p) => p.batch));
      else for (const { batch } of group) await this.readModel.apply(batch.events, batch.checkpoint, batch.tombstoneReleases);
    } catch (err) {
      for (const p of group) p.reject(err);
      return;
    }
    for (const p of group) p.resolve();
  }
}
