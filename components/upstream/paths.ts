/**
 * Key paths of nested values (Helm values, manifests) as strings: `serviceAccount.annotations`, with a
 * segment that holds a dot or a slash quoted, `serverFiles."prometheus.yml".rule_files`. Lists and scalars
 * are leaves; a list's items are not the chart's keys (they are data the chart renders as a whole).
 */

const needsQuotes = (segment: string) => /[."/\s]/.test(segment) || segment === "";

export const formatPath = (segments: readonly string[]) => segments.map((s) => (needsQuotes(s) ? JSON.stringify(s) : s)).join(".");

/** The inverse of formatPath. */
export function parsePath(path: string): string[] {
    const segments: string[] = [];
    let rest = path;
    while (rest.length > 0) {
        if (rest.startsWith('"')) {
            const end = rest.indexOf('"', 1);
            if (end < 0) throw new Error(`unterminated quote in key path ${path}`);
            segments.push(rest.slice(1, end));
            rest = rest.slice(end + 1);
        } else {
            const dot = rest.indexOf(".");
            segments.push(dot < 0 ? rest : rest.slice(0, dot));
            rest = dot < 0 ? "" : rest.slice(dot);
        }
        if (rest.startsWith(".")) rest = rest.slice(1);
    }
    return segments;
}

const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/** Segments of every leaf of `value` (a scalar, a list, or an empty map), depth first in key order. */
export function leafPaths(value: unknown, prefix: string[] = []): string[][] {
    if (!isMap(value) || (Object.keys(value).length === 0 && prefix.length > 0)) return [prefix];
    return Object.entries(value).flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
}

/** Segments of every map key of `value`, containers included, for matching a manifest against a schema. */
export function fieldPaths(value: unknown, prefix: string[] = []): string[][] {
    if (Array.isArray(value)) return value.flatMap((item) => fieldPaths(item, [...prefix, "[]"]));
    if (!isMap(value)) return [];
    return Object.entries(value).flatMap(([key, child]) => [[...prefix, key], ...fieldPaths(child, [...prefix, key])]);
}
