/**
 * Helm values the project sets, checked against the keys verified in the pinned chart's values.yaml.
 */
import { ChartFacts } from "./charts";
import { formatPath, leafPaths, parsePath } from "./paths";

const startsWith = (path: readonly string[], prefix: readonly string[]) => prefix.length <= path.length && prefix.every((segment, i) => segment === path[i]);

/**
 * Each leaf key path in `values` that is neither a verified key of the chart nor inside a pass-through map
 * under one of that map's verified keys (a verified key of a pass-through map covers what is below it).
 */
export function unverifiedValueKeys(values: Record<string, unknown>, facts: ChartFacts): string[] {
    const keys = new Set(facts.values.keys.map((key) => formatPath(parsePath(key))));
    const passThrough = Object.entries(facts.values.passThrough).map(([path, map]): { prefix: string[]; keys: "*" | string[][] } => ({
        prefix: parsePath(path),
        keys: map.keys === "*" ? "*" : map.keys.map(parsePath),
    }));
    const covered = (path: string[]) =>
        passThrough.some((map) => {
            if (!startsWith(path, map.prefix) || path.length === map.prefix.length) return false;
            const rest = path.slice(map.prefix.length);
            return map.keys === "*" || map.keys.some((key) => startsWith(rest, key));
        });
    return leafPaths(values)
        .filter((path) => !keys.has(formatPath(path)) && !covered(path))
        .map(formatPath);
}
