/**
 * Serving a fake-cloud provider plugin with `@pulumi/pulumi/provider`. The SDK's provider server answers
 * `Configure` without passing the provider's configuration on (the `Provider` interface has no hook for it),
 * and the fake aws provider must know its region; so the one service the SDK registers gets `configure`
 * wrapped to hand the request's arguments over first. Everything else is the SDK's own server.
 */
import * as grpc from "@grpc/grpc-js";
import * as provider from "@pulumi/pulumi/provider";
import { ConfigureRequest } from "@pulumi/pulumi/proto/provider_pb";
import { exitWithParent } from "../../tools/pulumi-plugins/lifecycle";

/** The provider's configuration: `args` (the provider resource's inputs) over the older `variables` form. */
export type ProviderConfig = Record<string, unknown>;

export function configOf(request: ConfigureRequest): ProviderConfig {
    const config: ProviderConfig = {};
    for (const [key, value] of request.getVariablesMap().entries() as Iterable<[string, string]>) config[key.replace(/^[^:]+:(config:)?/, "")] = value;
    return { ...config, ...((request.getArgs()?.toJavaScript() ?? {}) as ProviderConfig) };
}

type Handler = (call: grpc.ServerUnaryCall<ConfigureRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => void;

/** Registers `onConfigure` on the next service added to a gRPC server (the provider server `main` creates). */
function interceptConfigure(onConfigure: (config: ProviderConfig) => void): void {
    const prototype = grpc.Server.prototype;
    const addService = Object.getOwnPropertyDescriptor(prototype, "addService")!.value as grpc.Server["addService"];
    prototype.addService = function (this: grpc.Server, service, implementation) {
        prototype.addService = addService;
        const server = implementation as unknown as { configure: Handler };
        const wrapped = Object.create(implementation) as { configure: Handler };
        wrapped.configure = (call, callback) => {
            try {
                onConfigure(configOf(call.request));
            } catch (error) {
                callback({ code: grpc.status.INVALID_ARGUMENT, details: (error as Error).message }, null);
                return;
            }
            server.configure.call(wrapped, call, callback);
        };
        return addService.call(this, service, wrapped);
    };
}

export interface PluginOptions {
    onConfigure?: (config: ProviderConfig) => void;
}

/** Serves `impl` as the plugin process the CLI started (`pulumi-resource-<name> <engine address>`). */
export async function servePlugin(impl: provider.Provider, options: PluginOptions = {}): Promise<void> {
    if (options.onConfigure) interceptConfigure(options.onConfigure);
    exitWithParent();
    await provider.main(impl, process.argv.slice(2));
}

export interface ParsedUrn {
    stack: string;
    project: string;
    /** The resource's own type (the last of the parent chain). */
    type: string;
    name: string;
}

/** `urn:pulumi:<stack>::<project>::<parent$...$type>::<name>` */
export function parseUrn(urn: string): ParsedUrn {
    const parts = urn.split("::");
    if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) throw new Error(`not a resource URN: ${urn}`);
    return { stack: parts[0].slice("urn:pulumi:".length), project: parts[1], type: parts[2].split("$").pop()!, name: parts.slice(3).join("::") };
}

/** The version of an SDK package: a plugin reports the version the programs' SDK asks for. */
export function packageVersion(pkg: string): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(`${pkg}/package.json`) as { version: string }).version;
}

/** Plain-data equality, for diffs (key order does not matter, undefined keys are absent). */
export function sameData(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameData(x, b[i]));
    if (a && b && typeof a === "object" && typeof b === "object") {
        const keys = (o: object) => Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined);
        const [ka, kb] = [keys(a), keys(b)];
        return ka.length === kb.length && ka.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
    }
    return false;
}

/**
 * How long each call to the fake cloud takes, in real milliseconds (MITENE_FAKECLOUD_LATENCY_MS, default 0):
 * lets a test catch a real update, or a stray refresh, while it is in flight.
 */
export function cloudLatency(): Promise<void> {
    const ms = Number(process.env.MITENE_FAKECLOUD_LATENCY_MS ?? 0);
    return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
