/** A member of a group, as the coordinator drives it. */
export interface GroupMember {
  /** Stops the member's work on `partitions` (after the batch in hand) and tells its handler. */
  revoke(partitions: readonly number[]): Promise<void>;
  /** Tells the member's handler it owns `partitions`, then starts delivering their batches. */
  assign(partitions: readonly number[]): Promise<void>;
}

/**
 * The coordinator of one consumer group on one topic inside one `EmbeddedLog` instance: partitions go round-robin to
 * members in join order (partition p to member p mod n). Embedded mode has no broker to coordinate processes, so one
 * process (one log instance) owns a group; a second process consuming in the same group would receive every record
 * again and race on commits.
 *
 * Rebalances are serialised and revoke before they assign, so no partition is ever handled by two members at once.
 * Members hear only what changed for them: `onAssigned` with partitions gained, `onRevoked` with partitions lost.
 */
export class ConsumerGroup {
  readonly partitions: number;
  #members: GroupMember[] = [];
  #assignment = new Map<GroupMember, readonly number[]>();
  #queue: Promise<void> = Promise.resolve();

  constructor(partitions: number) {
    this.partitions = partitions;
  }

  /** Whether no member is left (the owner may forget the group). */
  get isEmpty(): boolean {
    return this.#members.length === 0;
  }

  /** Adds a member; resolves when the rebalance that gives it its partitions is done. */
  join(member: GroupMember): Promise<void> {
    return this.#enqueue(async () => {
      this.#members.push(member);
      await this.#rebalance();
    });
  }

  /** Removes a member; resolves when its partitions are revoked and handed to the others. */
  leave(member: GroupMember): Promise<void> {
    return this.#enqueue(async () => {
      const index = this.#members.indexOf(member);
      if (index === -1) return;
      this.#members.splice(index, 1);
      await this.#rebalance();
    });
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(step);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #rebalance(): Promise<void> {
    const next = new Map<GroupMember, number[]>(this.#members.map((m) => [m, []]));
    for (let p = 0; p < this.partitions && this.#members.length > 0; p++) {
      next.get(this.#members[p % this.#members.length]!)!.push(p);
    }
    const previous = this.#assignment;
    await Promise.all(
      [...previous].map(([member, owned]) => {
        const kept = next.get(member) ?? [];
        const lost = owned.filter((p) => !kept.includes(p));
        return lost.length > 0 ? member.revoke(lost) : Promise.resolve();
      }),
    );
    this.#assignment = next;
    await Promise.all(
      [...next].map(([member, owned]) => {
        const had = previous.get(member) ?? [];
        const gained = owned.filter((p) => !had.includes(p));
        return gained.length > 0 ? member.assign(gained) : Promise.resolve();
      }),
    );
  }
}
