/**
 * The env lease of the local engine: the production DynamoDB lease (in the emulator), with the takeover the
 * contract promises for a holder that is provably dead (same host, process gone), done as a conditional
 * write on that holder's run, so two runs that both found it dead cannot both take it.
 */
import { AcquireResult, Lease, LeaseHolder, LeaseStore } from "../core/ports";
import { ProcessIdentity } from "../core/process";

/** A lease store that can take a lease from a given holder only (the real DynamoLeaseStore). */
export interface TakeOverLeaseStore extends LeaseStore {
    takeOver(env: string, holder: LeaseHolder, from: LeaseHolder): Promise<AcquireResult>;
}

export class DeadHolderTakeover implements LeaseStore {
    constructor(private readonly store: TakeOverLeaseStore, private readonly identity: ProcessIdentity) {}

    async acquire(env: string, holder: LeaseHolder, options: { breakLease: boolean }): Promise<AcquireResult> {
        const result = await this.store.acquire(env, holder, options);
        if (result.acquired) return result;
        return this.provablyDead(result.heldBy) ? this.store.takeOver(env, holder, result.heldBy) : result;
    }

    private provablyDead(holder: LeaseHolder): boolean {
        return holder.host === this.identity.host && !this.identity.isAlive(holder.pid, holder.startedAt);
    }

    alive(lease: Lease): boolean {
        return this.store.alive(lease) && !this.provablyDead(lease.holder);
    }

    renew(env: string, holder: LeaseHolder): Promise<void> {
        return this.store.renew(env, holder);
    }

    release(env: string, holder: LeaseHolder): Promise<void> {
        return this.store.release(env, holder);
    }

    current(env: string): Promise<Lease | null> {
        return this.store.current(env);
    }
}
