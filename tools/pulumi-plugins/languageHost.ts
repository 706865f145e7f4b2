/**
 * `pulumi-language-nodejs`: the Pulumi CLI's Node.js language host, in TypeScript on the SDK's own gRPC
 * stubs. The Go host of the CLI's release is not served by this machine's module proxy, and the last one
 * that is (sdk v3.68) ignores the project's runtime options (`nodeargs: --import=tsx`, `typescript: false`),
 * which CLIs since then send in each request rather than on the host's command line (docs/engines.md).
 *
 * What the CLI needs for `preview`, `up`, `refresh` and `destroy`: the plugin version, the resource plugins the
 * program's node_modules declare, and `Run`, which starts the SDK's program runner (`@pulumi/pulumi/cmd/run`,
 * resolved from the program like the Go host does) with the request's settings as arguments and its config
 * in the environment, and reports how the program ended. The runner talks to the engine's resource monitor
 * directly: the Go host's proxy in between only serves synchronous invokes, which SDK 3.248 no longer makes.
 * Code generation, packing and dependency installation are not offered (UNIMPLEMENTED).
 */
import { ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { LanguageRuntimeService } from "@pulumi/pulumi/proto/language_grpc_pb";
import {
    AboutResponse,
    GetRequiredPackagesRequest,
    GetRequiredPackagesResponse,
    RunRequest,
    RunResponse,
} from "@pulumi/pulumi/proto/language_pb";
import { PackageDependency, PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { announce, exitWithParent, profileStart } from "./lifecycle";

/** The SDK runner's exit code for "the program already told the user what went wrong". */
const EXITED_AFTER_USER_MESSAGE = 32;
// The host's version is the SDK's: they come from one release.
const HOST_VERSION = (JSON.parse(readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")) as { version: string }).version;

export interface RuntimeOptions {
    typescript: boolean;
    tsconfig?: string;
    nodeargs: string[];
}

/** The `runtime.options` of Pulumi.yaml, as the Go host reads them (typescript defaults to true). */
export function runtimeOptions(options: Record<string, unknown>): RuntimeOptions {
    const { typescript = true, tsconfig, nodeargs = "" } = options;
    if (typeof typescript !== "boolean") throw new Error("typescript option must be a boolean");
    if (tsconfig !== undefined && typeof tsconfig !== "string") throw new Error("tsconfig option must be a string");
    if (typeof nodeargs !== "string") throw new Error("nodeargs option must be a string");
    return { typescript, tsconfig, nodeargs: splitArguments(nodeargs) };
}

/** Splits a command line the way a POSIX shell would for plain words and quotes (no expansions). */
export function splitArguments(line: string): string[] {
    const words: string[] = [];
    let word: string | undefined;
    let quote: string | undefined;
    for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (quote) {
            if (c === quote) quote = undefined;
            else if (c === "\\" && quote === '"' && i + 1 < line.length) word += line[++i];
            else word += c;
        } else if (c === "'" || c === '"') {
            quote = c;
            word ??= "";
        } else if (c === "\\" && i + 1 < line.length) {
            word = (word ?? "") + line[++i];
        } else if (/\s/.test(c)) {
            if (word !== undefined) words.push(word);
            word = undefined;
        } else {
            word = (word ?? "") + c;
        }
    }
    if (quote) throw new Error(`unterminated ${quote} in nodeargs: ${line}`);
    if (word !== undefined) words.push(word);
    return words;
}

/**
 * The runner reads config as `<namespace>:config:<name>`, the key form older SDKs expect, while the engine
 * sends `<namespace>:<name>`.
 */
export function runnerConfig(config: Iterable<[string, string]>): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [key, value] of config) {
        const colon = key.indexOf(":");
        if (colon < 0) throw new Error(`config key ${key} has no namespace`);
        const rest = key.slice(colon + 1);
        result[rest.startsWith("config:") ? key : `${key.slice(0, colon)}:config:${rest}`] = value;
    }
    return result;
}

export interface RunSettings {
    runPath: string;
    monitorAddress: string;
    engineAddress: string;
    organization: string;
    project: string;
    stack: string;
    rootDirectory: string;
    programDirectory: string;
    entryPoint: string;
    dryRun: boolean;
    parallel: number;
    args: string[];
}

/** The runner's command line, after the node arguments of the project. */
export function runnerArguments(s: RunSettings): string[] {
    const args = [s.runPath];
    const optional: [string, string][] = [
        ["monitor", s.monitorAddress],
        ["engine", s.engineAddress],
        ["organization", s.organization],
        ["project", s.project],
        ["root-directory", s.rootDirectory],
        ["stack", s.stack],
        ["pwd", s.programDirectory],
    ];
    for (const [flag, value] of optional) if (value) args.push(`--${flag}`, value);
    if (s.dryRun) args.push("--dry-run");
    args.push("--parallel", String(s.parallel));
    return [...args, s.entryPoint, ...s.args];
}

/** The node_modules directory Node would resolve the program's packages from. */
function nodeModulesOf(programDirectory: string): string | undefined {
    for (let dir = path.resolve(programDirectory); ; dir = path.dirname(dir)) {
        if (existsSync(path.join(dir, "node_modules"))) return path.join(dir, "node_modules");
        if (path.dirname(dir) === dir) return undefined;
    }
}

/** Installed packages that ship a resource plugin (`"pulumi": {"resource": true}` in package.json), by plugin name. */
export function resourcePlugins(programDirectory: string): { name: string; version: string; server?: string }[] {
    const root = nodeModulesOf(programDirectory);
    if (!root) return [];
    const found = new Map<string, { name: string; version: string; server?: string }>();
    const visit = (modules: string) => {
        for (const entry of readdirSync(modules, { withFileTypes: true })) {
            if (entry.name.startsWith(".")) continue;
            const dir = path.join(modules, entry.name);
            if (entry.name.startsWith("@")) {
                visit(dir);
                continue;
            }
            const manifest = path.join(dir, "package.json");
            if (existsSync(manifest)) {
                const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string; pulumi?: { resource?: boolean; name?: string; version?: string; server?: string } };
                if (pkg.pulumi?.resource) {
                    const name = pkg.pulumi.name ?? pkg.name?.replace(/^@pulumi\//, "");
                    const version = pkg.pulumi.version ?? pkg.version;
                    if (name && version) found.set(`${name}@${version}`, { name, version: version.startsWith("v") ? version : `v${version}`, server: pkg.pulumi.server });
                }
            }
            if (existsSync(path.join(dir, "node_modules"))) visit(path.join(dir, "node_modules"));
        }
    };
    visit(root);
    return [...found.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

const unimplemented = (method: string) => (_call: unknown, callback: grpc.sendUnaryData<never>) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: `${method} is not offered by this language host` }, null);

export class NodeLanguageHost {
    private readonly running = new Set<ChildProcess>();

    constructor(private readonly engineAddress: string) {}

    /** Every LanguageRuntime method: those the host offers and UNIMPLEMENTED for the rest. */
    handlers(): grpc.UntypedServiceImplementation {
        return {
            handshake: unimplemented("Handshake (attaching to a running host)"),
            getRequiredPlugins: unimplemented("GetRequiredPlugins (use GetRequiredPackages)"),
            getRequiredPackages: (call: grpc.ServerUnaryCall<GetRequiredPackagesRequest, GetRequiredPackagesResponse>, callback: grpc.sendUnaryData<GetRequiredPackagesResponse>) => {
                try {
                    const programDirectory = call.request.getInfo()?.getProgramDirectory() ?? ".";
                    const packages = resourcePlugins(programDirectory).map((p) => new PackageDependency().setName(p.name).setKind("resource").setVersion(p.version).setServer(p.server ?? ""));
                    callback(null, new GetRequiredPackagesResponse().setPackagesList(packages));
                } catch (error) {
                    callback(error as Error, null);
                }
            },
            run: (call: grpc.ServerUnaryCall<RunRequest, RunResponse>, callback: grpc.sendUnaryData<RunResponse>) => {
                this.run(call.request).then((response) => callback(null, response), (error: Error) => callback(null, new RunResponse().setError(error.message)));
            },
            getPluginInfo: (_call: unknown, callback: grpc.sendUnaryData<PluginInfo>) => callback(null, new PluginInfo().setVersion(HOST_VERSION)),
            installDependencies: unimplemented("InstallDependencies (run npm ci)"),
            runtimeOptionsPrompts: unimplemented("RuntimeOptionsPrompts"),
            template: unimplemented("Template"),
            about: (_call: unknown, callback: grpc.sendUnaryData<AboutResponse>) => callback(null, new AboutResponse().setExecutable(process.execPath).setVersion(process.version)),
            getProgramDependencies: unimplemented("GetProgramDependencies"),
            runPlugin: unimplemented("RunPlugin"),
            generateProgram: unimplemented("GenerateProgram"),
            generateProject: unimplemented("GenerateProject"),
            generatePackage: unimplemented("GeneratePackage"),
            pack: unimplemented("Pack"),
            link: unimplemented("Link"),
            cancel: (_call: unknown, callback: grpc.sendUnaryData<Empty>) => {
                this.interrupt();
                callback(null, new Empty());
            },
        };
    }

    /** Interrupts running programs (the CLI was cancelled); the SDK's runner shuts down on SIGINT. */
    interrupt(): void {
        for (const child of this.running) child.kill("SIGINT");
    }

    private async run(request: RunRequest): Promise<RunResponse> {
        if (request.getAttachDebugger()) return new RunResponse().setError("this language host cannot attach a debugger");
        const info = request.getInfo();
        if (!info) return new RunResponse().setError("the run request carries no program information");
        const options = runtimeOptions((info.getOptions()?.toJavaScript() ?? {}));
        const programDirectory = info.getProgramDirectory();
        const runPath = require.resolve("@pulumi/pulumi/cmd/run", { paths: [programDirectory] });
        const args = runnerArguments({
            runPath,
            monitorAddress: request.getMonitorAddress(),
            engineAddress: this.engineAddress,
            organization: request.getOrganization(),
            project: request.getProject(),
            stack: request.getStack(),
            rootDirectory: info.getRootDirectory(),
            programDirectory,
            entryPoint: info.getEntryPoint() || ".",
            dryRun: request.getDryrun(),
            parallel: request.getParallel(),
            args: request.getArgsList(),
        });
        const env: NodeJS.ProcessEnv = {
            ...process.env,
            PULUMI_CONFIG: JSON.stringify(runnerConfig(request.getConfigMap().entries())),
            PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(request.getConfigsecretkeysList()),
        };
        if (options.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
        if (options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
        const code = await this.spawnProgram([...options.nodeargs, ...args], env);
        if (code === 0) return new RunResponse();
        if (code === EXITED_AFTER_USER_MESSAGE) return new RunResponse().setBail(true);
        return new RunResponse().setError(`Program exited with non-zero exit code: ${code}`);
    }

    /** The program's output goes where the host's goes: the CLI shows it with the update. */
    private spawnProgram(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
        return new Promise((resolve, reject) => {
            const child = spawn(process.execPath, args, { env, stdio: ["ignore", "inherit", "inherit"] });
            this.running.add(child);
            child.on("error", (error) => {
                this.running.delete(child);
                reject(new Error(`could not start the program: ${error.message}`));
            });
            child.on("exit", (code, signal) => {
                this.running.delete(child);
                resolve(code ?? (signal ? 128 : 1));
            });
        });
    }
}

/** Started by the CLI as `pulumi-language-nodejs [flags] <engine address>`. */
export async function main(argv: string[]): Promise<void> {
    if (argv.includes("-version") || argv.includes("--version")) {
        process.stdout.write(`v${HOST_VERSION}\n`);
        return;
    }
    profileStart("pulumi-language-nodejs");
    const engineAddress = argv.filter((arg) => !arg.startsWith("-")).pop() ?? "";
    const host = new NodeLanguageHost(engineAddress);
    const server = new grpc.Server();
    server.addService(LanguageRuntimeService, host.handlers());
    exitWithParent(() => host.interrupt());
    // The CLI ends its plugins with SIGINT (then SIGKILL after a grace period): pass it on and leave.
    process.on("SIGINT", () => {
        host.interrupt();
        server.forceShutdown();
        process.exit(0);
    });
    await announce(server);
}
