/**
 * The project's import graph as tsc sees it: the files tsconfig.json includes, each import resolved with the
 * project's own compiler options (nodenext). Type-only imports, `typeof import()` and lazy `require()` count
 * too: a circle through types still means two files that cannot be read one after the other.
 */
import * as path from "node:path";
import ts from "typescript";

/** Repository-relative path -> the project files it imports (repository-relative, sorted). */
export type ImportGraph = Map<string, string[]>;

export function projectImportGraph(root: string): ImportGraph {
    const config = ts.getParsedCommandLineOfConfigFile(path.join(root, "tsconfig.json"), {}, {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
            throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
        },
    });
    if (!config) throw new Error(`${root}/tsconfig.json could not be read`);
    const files = new Set(config.fileNames.map((file) => path.resolve(file)));
    const cache = ts.createModuleResolutionCache(root, (name) => name, config.options);
    const relative = (file: string) => path.relative(root, file).split(path.sep).join("/");
    const graph: ImportGraph = new Map();
    for (const file of files) {
        const { importedFiles } = ts.preProcessFile(ts.sys.readFile(file)!, true, true);
        const imported = importedFiles
            .map((ref) => ts.resolveModuleName(ref.fileName, file, config.options, ts.sys, cache).resolvedModule?.resolvedFileName)
            .filter((resolved): resolved is string => resolved !== undefined && files.has(path.resolve(resolved)))
            .map((resolved) => relative(path.resolve(resolved)));
        graph.set(relative(file), [...new Set(imported)].sort());
    }
    return graph;
}

/**
 * Every import circle, as the files of one strongly connected component (Tarjan), sorted: a file importing
 * itself is a circle of one.
 */
export function importCircles(graph: ImportGraph): string[][] {
    let next = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const circles: string[][] = [];
    const visit = (file: string) => {
        index.set(file, next);
        low.set(file, next++);
        stack.push(file);
        onStack.add(file);
        for (const target of graph.get(file) ?? []) {
            if (!index.has(target)) {
                visit(target);
                low.set(file, Math.min(low.get(file)!, low.get(target)!));
            } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
        }
        if (low.get(file) !== index.get(file)) return;
        const component: string[] = [];
        let member: string;
        do {
            member = stack.pop()!;
            onStack.delete(member);
            component.push(member);
        } while (member !== file);
        if (component.length > 1 || (graph.get(file) ?? []).includes(file)) circles.push(component.sort());
    };
    for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
    return circles.sort((a, b) => a[0].localeCompare(b[0]));
}

/** Every import from a file matching `from` to a file matching `to`, as "importer -> imported". */
export function importsBetween(graph: ImportGraph, from: (file: string) => boolean, to: (file: string) => boolean): string[] {
    return [...graph].flatMap(([file, imported]) => (from(file) ? imported.filter(to).map((target) => `${file} -> ${target}`) : []));
}
