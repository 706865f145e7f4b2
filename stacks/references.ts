/**
 * Typed StackReferences: data flows ops -> mitene and region -> mitene, never the other way.
 */
import * as pulumi from "@pulumi/pulumi";

/** Fully qualified name of a sibling stack of this project (DIY backends use the organization `organization`). */
export const siblingStackName = (stack: string) => `${pulumi.getOrganization() || "organization"}/${pulumi.getProject()}/${stack}`;

/** A StackReference whose outputs are read as T's keys. */
export class TypedStackReference<T> {
    private readonly ref: pulumi.StackReference;

    constructor(private readonly stack: string) {
        this.ref = new pulumi.StackReference(stack, { name: siblingStackName(stack) });
    }

    output<K extends keyof T & string>(key: K): pulumi.Output<T[K]> {
        return this.ref.requireOutput(key) as pulumi.Output<T[K]>;
    }

    /** The plain value, for outputs that decide which resources exist (e.g. one binding per service). */
    async value<K extends keyof T & string>(key: K): Promise<T[K]> {
        const value = await this.valueOrUndefined(key);
        if (value === undefined) throw new Error(`stack ${this.stack} has no output "${key}": deploy it first`);
        return value;
    }

    /** The plain value, or undefined when the stack has no such output (never deployed, or not exported). */
    async valueOrUndefined<K extends keyof T & string>(key: K): Promise<T[K] | undefined> {
        const details = await this.ref.getOutputDetails(key);
        return (details.value ?? details.secretValue) as T[K] | undefined;
    }
}
