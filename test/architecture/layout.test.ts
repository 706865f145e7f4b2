/**
 * The house reads top-down (README "Where things are"): no import circle anywhere, the engines implement the
 * ports without importing each other, everything below the commands imports neither the commands nor the
 * engines, and automation/ keeps its top level to the entry points.
 */
import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { ImportGraph, importCircles, importsBetween, projectImportGraph } from "./importGraph";

const ROOT = path.resolve(__dirname, "..", "..");
const AUTOMATION = path.join(ROOT, "automation");
const ENGINES = ["sim", "local", "real"];
/** The folders where a command reaches an engine: the CLI, the commands and opening an engine. */
const ABOVE_THE_DRIVER = ["commands", "engines"];
const MAX_LOOSE_FILES = 8;

/** automation/<folder>/... -> folder; a file at the top of automation/ -> "" (an entry point). */
const folderOf = (file: string): string | null => {
    const parts = file.split("/");
    if (parts[0] !== "automation") return null;
    return parts.length === 2 ? "" : parts[1];
};
const inFolders = (folders: string[]) => (file: string) => folders.includes(folderOf(file) ?? "-");

const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

describe("layout: imports point one way", () => {
    const graph = projectImportGraph(ROOT);

    it("finds circles of any length, a file importing itself, and none in a graph without them", () => {
        const cases: [string, Record<string, string[]>, string[][]][] = [
            ["a chain", { a: ["b"], b: ["c"], c: [] }, []],
            ["a diamond", { a: ["b", "c"], b: ["d"], c: ["d"], d: [] }, []],
            ["two files", { a: ["b"], b: ["a"] }, [["a", "b"]]],
            ["a file importing itself", { a: ["a"], b: ["a"] }, [["a"]]],
            ["three files behind an entry", { entry: ["x"], x: ["y"], y: ["z"], z: ["x", "leaf"], leaf: [] }, [["x", "y", "z"]]],
            ["two separate circles", { a: ["b"], b: ["a"], c: ["d"], d: ["c"], e: ["a", "c"] }, [["a", "b"], ["c", "d"]]],
        ];
        for (const [name, edges, circles] of cases) assert.deepEqual(importCircles(graphOf(edges)), circles, name);
    });

    it("sees the whole project, lazy require() included", () => {
        // Without these the checks below would pass on an empty or partial graph.
        for (const dir of ["automation", "stacks", "components", "fakecloud", "policy", "test", "bench", ".ci", ".github"]) {
            assert.ok([...graph.keys()].some((file) => file.startsWith(`${dir}/`)), `${dir}/ is in the graph`);
        }
        assert.ok(graph.get("automation/engines/open.ts")?.includes("automation/engines/local.ts"), "open.ts loads local.ts on use");
        assert.ok(graph.get("automation/bin.ts")?.includes("automation/real/ports.ts"), "bin.ts loads real/ports.ts on use");
    });

    it("has no import circle in the project's TypeScript", () => {
        const circles = importCircles(graph);
        assert.deepEqual(circles, [], `import circles:\n${circles.map((c) => `  ${c.join(" <-> ")}`).join("\n")}`);
    });

    it("keeps the engines (sim, local, real) from importing each other", () => {
        const crossings = ENGINES.flatMap((engine) => importsBetween(graph, inFolders([engine]), inFolders(ENGINES.filter((other) => other !== engine))));
        assert.deepEqual(crossings, []);
    });

    it("keeps the commands and the opening of engines above everything else in automation/", () => {
        const below = (file: string) => folderOf(file) !== null && folderOf(file) !== "" && !inFolders(ABOVE_THE_DRIVER)(file);
        const upward = importsBetween(graph, below, (file) => folderOf(file) === "" || inFolders(ABOVE_THE_DRIVER)(file));
        assert.deepEqual(upward, []);
    });

    it("lets only engines/ and the entry points reach into an engine from outside it", () => {
        const reach = ENGINES.flatMap((engine) =>
            importsBetween(graph, (file) => folderOf(file) !== null && folderOf(file) !== "" && folderOf(file) !== engine && !inFolders(["engines", ...ENGINES])(file), inFolders([engine])),
        );
        assert.deepEqual(reach, []);
    });
});

describe("layout: automation/ top level", () => {
    it(`holds at most ${MAX_LOOSE_FILES} loose files (the entry points); the rest live in folders by what they are`, () => {
        const loose = readdirSync(AUTOMATION, { withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => entry.name);
        assert.ok(loose.includes("cli.ts"), "the count reads the right directory");
        assert.ok(loose.length <= MAX_LOOSE_FILES, `${loose.length} loose files at the top of automation/: ${loose.join(", ")}`);
    });
});
