/**
 * A plan for people: the calendar, the ledger (what blocks first, each with what to do and its source) and
 * the ordered steps, as plain text tables.
 */
import { PlanReport } from "./plan";

const pad = (text: string, width: number) => (text.length >= width ? text : text + " ".repeat(width - text.length));

function table(rows: string[][]): string[] {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    return rows.map((r) => "  " + r.map((cell, i) => (i === r.length - 1 ? cell : pad(cell, widths[i]))).join("  ").trimEnd());
}

const money = (usd: number) => (usd === 0 ? "-" : `$${usd}/month`);

export function formatPlan(plan: PlanReport): string {
    const lines = [
        `plan of ${plan.env} to Kubernetes ${plan.to}${plan.toFrom === "default" ? " (the newest version nothing blocks)" : ""} on ${plan.at}: ${plan.blockers === 0 ? "READY" : `${plan.blockers} BLOCKING`}, ${plan.warnings} warning(s)`,
        plan.snapshot === "committed" ? "  (read from the committed stack files: the engine holds no stack of this env)" : "",
        "",
        "Support calendar",
    ].filter((l, i) => i !== 1 || l !== "");
    lines.push(
        ...table([
            ["cluster", "version", "upgradePolicy", "phase", "standard until", "extended until", "days left", "extra cost", "dates"],
            ...plan.calendar.map((r) => [
                r.cluster,
                r.version,
                r.upgradePolicy,
                r.phase,
                r.endOfStandardSupport ?? "-",
                r.endOfExtendedSupport ?? "-",
                r.daysLeft === null ? "-" : String(r.daysLeft),
                money(r.extraCostPerMonthUsd),
                r.datesVerified ? "AWS calendar" : "UNVERIFIED",
            ]),
        ]),
    );
    const costly = plan.calendar.filter((r) => r.extraCostPerMonthUsd > 0);
    if (costly.length > 0) lines.push(`  extended support adds $${costly.reduce((s, r) => s + r.extraCostPerMonthUsd, 0)}/month for ${costly.length} cluster(s) (${costly[0].costSource})`);
    if (plan.calendar.some((r) => !r.datesVerified)) lines.push("  UNVERIFIED: those dates were not read in AWS's own calendar (components/kubernetesVersions.ts says where they come from)");
    lines.push("", `Readiness ledger for ${plan.to}${plan.manifests ? ` (manifests: ${plan.manifests.files} file(s) under ${plan.manifests.dir})` : " (no --manifests: the GitOps repository's APIs were not checked)"}`);
    lines.push(
        ...table([
            ["severity", "cluster", "kind", "item", "pinned", "move to", "what"],
            ...plan.ledger.map((i) => [i.severity, i.cluster, i.kind, i.item, i.pinned ?? "-", i.moveTo ?? "-", i.file ? `${i.detail}` : i.detail]),
        ]),
    );
    const sources = [...new Set(plan.ledger.filter((i) => i.severity !== "ok").map((i) => i.source))];
    if (sources.length > 0) lines.push("  sources of what is not ok:", ...sources.map((s) => `    - ${s}`));
    lines.push("", "Steps, in order");
    if (plan.steps.length === 0) lines.push("  nothing to do: every cluster of the cycle runs it");
    lines.push(...plan.steps.map((s) => `  ${String(s.order).padStart(2)}. ${pad(s.env, 8)} ${pad(s.action, 11)} ${s.command}\n      ${s.detail}`));
    return lines.join("\n");
}

/** The ledger as Markdown, for the body of a bump's pull request (`plan --write --json` gives the same data). */
export function ledgerMarkdown(plan: PlanReport): string {
    const cell = (t: string) => t.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
    return [
        `### Readiness ledger of ${plan.env} for Kubernetes ${plan.to} (${plan.at})`,
        "",
        "| severity | cluster | kind | item | pinned | move to | what | source |",
        "|---|---|---|---|---|---|---|---|",
        ...plan.ledger.map((i) => `| ${i.severity} | ${cell(i.cluster)} | ${i.kind} | ${cell(i.item)} | ${cell(i.pinned ?? "-")} | ${cell(i.moveTo ?? "-")} | ${cell(i.detail)} | ${cell(i.source)} |`),
        "",
    ].join("\n");
}
