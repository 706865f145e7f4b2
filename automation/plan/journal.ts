/**
 * An upgrade or Ops upgrade writes the env's support calendar and its readiness ledger for the target into its
 * journal, as preflight saw them: the report shows them beside what the run did.
 */
import { DriverPorts } from "../core/context";
import { RunLog } from "../record/runLog";
import { ledgerFor } from "./plan";
import { EnvSnapshot } from "./snapshot";

/** On the wall clock's date, also in a rehearsal: the calendar is the real one, whatever the engine's virtual time. */
export async function journalCycle(ports: DriverPorts, log: RunLog, snapshot: EnvSnapshot | null, to: string, at = new Date().toISOString().slice(0, 10)): Promise<void> {
    if (!snapshot) return;
    const env = snapshot.env;
    const { calendar, ledger } = await ledgerFor(ports, snapshot, to, at);
    const blocking = ledger.filter((i) => i.severity === "blocking").length;
    await log.event(null, `support calendar of ${env} on ${at} and readiness for ${to}: ${blocking} blocking, ${ledger.filter((i) => i.severity === "warning").length} warning(s)`, {
        phase: "preflight",
        detail: { cycle: { at, to, calendar, ledger } },
    });
}
