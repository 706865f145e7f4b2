/**
 * How mitene words things for people: counts with their noun, durations, result names. Every human line (the
 * progress on stderr, the summaries, the journal's event texts, the reports) goes through these, so that a
 * plural, a duration or a result reads the same everywhere and a slip is fixed once. JSON keeps the raw words.
 */

/** 1 -> "1 look", 2 -> "2 looks"; `plural` for nouns that do not take an s. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
    return `${n} ${n === 1 ? noun : plural}`;
}

/** 159 -> "2h39m", 42.4 -> "42m"; rounded to the minute first, so 119.7 is "2h00m", never "1h60m". */
export function formatMinutes(minutes: number): string {
    const total = Math.round(minutes);
    return total >= 60 ? `${Math.floor(total / 60)}h${String(total % 60).padStart(2, "0")}m` : `${total}m`;
}

/** A result as a phrase: `nothing_to_do` -> "nothing to do", `rolled_back` -> "rolled back". */
export function resultName(result: string): string {
    return result.replace(/_/g, " ");
}

/** A result as the headline of a summary: `nothing_to_do` -> "NOTHING TO DO". */
export function resultHeadline(result: string): string {
    return resultName(result).toUpperCase();
}

/** The last line a run journals: "upgrade: rolled back after 1h54m". */
export function endLine(what: string, result: string, minutes: number): string {
    return `${what}: ${resultName(result)} after ${formatMinutes(minutes)}`;
}

/**
 * The closing line of a run: how long it took (wall time on pulumi; on sim and local the virtual minutes, as
 * what the same run would take on AWS) and where its journal is. `ran`: false when nothing ran (no duration).
 */
export function durationLine(engine: string, minutes: number, journal: string, ran: boolean): string {
    if (!ran) return `  journal: ${journal}`;
    return engine === "pulumi"
        ? `  took ${formatMinutes(minutes)}; journal: ${journal}`
        : `  on AWS this would take about ${formatMinutes(minutes)} (${count(minutes, "virtual minute")} on the ${engine} engine); journal: ${journal}`;
}
