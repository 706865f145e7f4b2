/**
 * The support calendar and readiness ledger in the reports: Markdown tables, and for the HTML page a calendar
 * strip: per cluster its version's standard and extended support against the dates, with the run's date marked.
 */
import { EKS_VERSIONS } from "../../components/kubernetesVersions";
import { CycleDoc } from "./model";
import { escapeXml as esc, linear, n } from "./svg";

const cell = (text: string) => text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|").replace(/</g, "&lt;");
const money = (usd: number) => (usd > 0 ? `$${usd}/month` : "-");

export function cycleMarkdown(cycle: CycleDoc): string[] {
    const lines = [
        "",
        `### Support calendar on ${cycle.at}`,
        "",
        "| cluster | version | upgradePolicy | phase | standard until | extended until | days left | extra cost | dates |",
        "|---|---|---|---|---|---|---:|---:|---|",
        ...cycle.calendar.map((r) => `| ${cell(r.cluster)} | ${r.version} | ${cell(r.upgradePolicy)} | ${r.phase} | ${r.endOfStandardSupport ?? "-"} | ${r.endOfExtendedSupport ?? "-"} | ${r.daysLeft ?? "-"} | ${money(r.extraCostPerMonthUsd)} | ${r.datesVerified ? "AWS calendar" : "**unverified**"} |`),
    ];
    if (cycle.calendar.some((r) => r.extraCostPerMonthUsd > 0)) lines.push("", `Extra cost: ${cell(cycle.calendar[0].costSource)}.`);
    const notOk = cycle.ledger.filter((i) => i.severity !== "ok");
    lines.push("", `### Readiness for ${cycle.to}`, "", `${cycle.ledger.length - notOk.length} of ${cycle.ledger.length} items ok.`);
    if (notOk.length > 0) {
        lines.push("", "| severity | cluster | kind | item | what | source |", "|---|---|---|---|---|---|");
        lines.push(...notOk.map((i) => `| ${i.severity === "blocking" ? "**blocking**" : i.severity} | ${cell(i.cluster)} | ${i.kind} | ${cell(i.item)}${i.file ? ` (${cell(i.file)})` : ""} | ${cell(i.detail)} | ${cell(i.source)} |`));
    }
    return lines;
}

const DAY = 86_400_000;

/** Per cluster a bar: standard support (green), extended support (amber) of its version; a line at the run's date. */
export function calendarStrip(cycle: CycleDoc): string {
    const rows = cycle.calendar.filter((r) => r.endOfStandardSupport && r.endOfExtendedSupport);
    if (rows.length === 0) return "";
    const release = (version: string) => EKS_VERSIONS.find((v) => v.version === version)?.eksRelease;
    const starts = rows.map((r) => Date.parse(release(r.version) ?? r.endOfStandardSupport!));
    const ends = rows.map((r) => Date.parse(r.endOfExtendedSupport!));
    const at = Date.parse(cycle.at);
    const from = Math.min(...starts, at) - 30 * DAY;
    const to = Math.max(...ends, at) + 30 * DAY;
    const width = 900;
    const left = 230;
    const rowHeight = 26;
    const height = 40 + rows.length * rowHeight + 20;
    const x = linear(from, to, left, width - 10);
    const years: string[] = [];
    for (let year = new Date(from).getUTCFullYear() + 1; Date.UTC(year, 0, 1) < to; year++) {
        const px = x(Date.UTC(year, 0, 1));
        years.push(`<line x1="${n(px)}" y1="30" x2="${n(px)}" y2="${height - 20}" stroke="#ddd"/><text class="tick" x="${n(px)}" y="22" text-anchor="middle">${year}</text>`);
    }
    const bars = rows.map((r, i) => {
        const y = 36 + i * rowHeight;
        const start = x(Date.parse(release(r.version) ?? r.endOfStandardSupport!));
        const standardEnd = x(Date.parse(r.endOfStandardSupport!));
        const extendedEnd = x(Date.parse(r.endOfExtendedSupport!));
        const label = `${r.cluster} ${r.version}${r.datesVerified ? "" : " (dates unverified)"}`;
        return [
            `<text class="row-label" x="4" y="${y + 14}">${esc(r.cluster)}</text>`,
            `<text class="row-sub${r.phase === "standard" ? "" : " bad"}" x="${left - 6}" y="${y + 14}" text-anchor="end">${esc(`${r.version} ${r.phase}${r.datesVerified ? "" : "*"}`)}</text>`,
            `<rect x="${n(start)}" y="${y}" width="${n(Math.max(1, standardEnd - start))}" height="18" fill="#2f855a"${r.datesVerified ? "" : ' fill-opacity="0.55"'}><title>${esc(`${label}: standard support until ${r.endOfStandardSupport}`)}</title></rect>`,
            `<rect x="${n(standardEnd)}" y="${y}" width="${n(Math.max(1, extendedEnd - standardEnd))}" height="18" fill="#b7791f"${r.datesVerified ? "" : ' fill-opacity="0.55"'}><title>${esc(`${label}: extended support until ${r.endOfExtendedSupport}`)}</title></rect>`,
        ].join("");
    });
    const marker = `<line x1="${n(x(at))}" y1="28" x2="${n(x(at))}" y2="${height - 16}" stroke="#b3261e" stroke-width="2"/><text class="note" x="${n(x(at))}" y="${height - 4}" text-anchor="middle">${esc(cycle.at)}</text>`;
    return [
        `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="calendar-title calendar-desc" xmlns="http://www.w3.org/2000/svg">`,
        `<title id="calendar-title">EKS support calendar of the env's clusters</title>`,
        `<desc id="calendar-desc">${esc(rows.map((r) => `${r.cluster} runs ${r.version}: standard support until ${r.endOfStandardSupport}, extended until ${r.endOfExtendedSupport}; ${r.phase} on ${cycle.at}`).join(". "))}</desc>`,
        ...years,
        ...bars,
        marker,
        "</svg>",
    ].join("\n");
}

export function cycleHtml(cycle: CycleDoc): string {
    const rows = cycle.calendar.map((r) => `<tr><td>${esc(r.cluster)}</td><td>${esc(r.version)}</td><td>${esc(r.upgradePolicy)}</td><td>${esc(r.phase)}</td><td>${esc(r.endOfStandardSupport ?? "-")}</td><td>${esc(r.endOfExtendedSupport ?? "-")}</td><td class="num">${r.daysLeft ?? "-"}</td><td class="num">${esc(money(r.extraCostPerMonthUsd))}</td><td>${r.datesVerified ? "AWS calendar" : "<strong>unverified</strong>"}</td></tr>`);
    const notOk = cycle.ledger.filter((i) => i.severity !== "ok");
    const ledger = notOk.map((i) => `<tr><td${i.severity === "blocking" ? ' class="breach"' : ""}>${esc(i.severity)}</td><td>${esc(i.cluster)}</td><td>${esc(i.kind)}</td><td>${esc(i.item)}${i.file ? ` (${esc(i.file)})` : ""}</td><td>${esc(i.detail)}</td><td>${esc(i.source)}</td></tr>`);
    return [
        `<h2>Support calendar on ${esc(cycle.at)}</h2>`,
        `<p class="key">Green: standard support; amber: extended support (${esc(cycle.calendar[0]?.costSource ?? "")}); the red line: ${esc(cycle.at)}. Pale bars and *: dates not verified against AWS's calendar.</p>`,
        calendarStrip(cycle),
        `<table><thead><tr><th scope="col">cluster</th><th scope="col">version</th><th scope="col">upgradePolicy</th><th scope="col">phase</th><th scope="col">standard until</th><th scope="col">extended until</th><th scope="col">days left</th><th scope="col">extra cost</th><th scope="col">dates</th></tr></thead><tbody>${rows.join("")}</tbody></table>`,
        `<h2>Readiness for ${esc(cycle.to)}</h2>`,
        `<p>${cycle.ledger.length - notOk.length} of ${cycle.ledger.length} items ok.</p>`,
        notOk.length ? `<table><thead><tr><th scope="col">severity</th><th scope="col">cluster</th><th scope="col">kind</th><th scope="col">item</th><th scope="col">what</th><th scope="col">source</th></tr></thead><tbody>${ledger.join("")}</tbody></table>` : "",
    ].join("\n");
}
