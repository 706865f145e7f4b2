/**
 * The env lease of the sim: a file created exclusively. A holder on this host whose process is gone is
 * provably dead and its lease is taken over; any other holder keeps it unless `--break-lease`.
 */
import * as path from "node:path";
import { AcquireResult, Lease, LeaseHolder, LeaseStore } from "../core/ports";
import { ProcessIdentity } from "../core/process";
import { SimStore } from "./store";
import { StateFileError } from "../core/errors";
import { checkLease } from "../core/records";

/** Far in the future: sim leases do not expire, their holders are checked for life instead. */
const NEVER = "9999-12-31T23:59:59.000Z";

export class SimLeaseStore implements LeaseStore {
    constructor(private readonly store: SimStore, private readonly identity: ProcessIdentity) {}

    private relative = (env: string) => path.join("leases", `${env}.json`);

    async acquire(env: string, holder: LeaseHolder, options: { breakLease: boolean }): Promise<AcquireResult> {
        const lease: Lease = { env, holder, expiresAt: NEVER };
        if (this.store.createJson(this.relative(env), lease)) return { acquired: true };
        let current: Lease | null;
        try {
            current = await this.current(env);
        } catch (error) {
            // A lease file nobody can read names no holder: only --break-lease may replace it.
            if (!(error instanceof StateFileError) || !options.breakLease) throw error;
            this.store.writeJson(this.relative(env), lease);
            return { acquired: true };
        }
        if (!current) return this.acquire(env, holder, options);
        if (this.alive(current) && !options.breakLease) return { acquired: false, heldBy: current.holder };
        this.store.writeJson(this.relative(env), lease);
        return { acquired: true, tookOverFrom: current.holder };
    }

    /** Alive unless provably gone: same host, and the process is gone or its pid was reused since. */
    alive(lease: Lease): boolean {
        return lease.holder.host !== this.identity.host || this.identity.isAlive(lease.holder.pid, lease.holder.startedAt);
    }

    async renew(): Promise<void> {
        // Nothing expires in the sim.
    }

    async release(env: string, holder: LeaseHolder): Promise<void> {
        const current = await this.current(env);
        if (current?.holder.runId === holder.runId) this.store.remove(this.relative(env));
    }

    async current(env: string): Promise<Lease | null> {
        const lease = this.store.readJson<Lease>(this.relative(env), (value, file) => checkLease(value, env, `the lease file ${file}`));
        return lease ?? null;
    }
}
