import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { operationMarks, profileTo } from "../../automation/real/profile";

const resource = (kind: "resourcePreEvent" | "resOutputsEvent", type: string) => ({ sequence: 0, timestamp: 0, [kind]: { metadata: { type, urn: `urn:pulumi:s::mitene::${type}::x`, op: "same" } } }) as unknown as EngineEvent;
const prelude = { sequence: 0, timestamp: 0, preludeEvent: { config: {} } } as unknown as EngineEvent;
const diagnostic = { sequence: 0, timestamp: 0, diagnosticEvent: { message: "debug", severity: "debug" } } as unknown as EngineEvent;
const summary = { sequence: 0, timestamp: 0, summaryEvent: { resourceChanges: {} } } as unknown as EngineEvent;

describe("real/profile: where an operation's time goes, from its events", () => {
    const cases: { name: string; events: [EngineEvent, number][]; marks: object }[] = [
        {
            name: "an up: the root registers, the program loads, its resources register, the root's outputs last",
            events: [[prelude, 10], [resource("resourcePreEvent", "pulumi:pulumi:Stack"), 20], [diagnostic, 25], [resource("resourcePreEvent", "pulumi:providers:aws"), 30], [resource("resOutputsEvent", "aws:ec2/vpc:Vpc"), 40], [resource("resOutputsEvent", "pulumi:pulumi:Stack"), 50], [summary, 60]],
            marks: { prelude: 10, stackRegistered: 20, firstResource: 30, lastResource: 50 },
        },
        {
            name: "a destroy: no program, the root is deleted last and counts as a resource",
            events: [[prelude, 10], [resource("resourcePreEvent", "aws:ec2/vpc:Vpc"), 30], [resource("resourcePreEvent", "pulumi:pulumi:Stack"), 45], [summary, 60]],
            marks: { prelude: 10, firstResource: 30, lastResource: 45 },
        },
        { name: "a CLI that failed before the update began", events: [], marks: {} },
    ];
    for (const { name, events, marks } of cases) {
        it(name, () => assert.deepEqual(operationMarks(events.map(([event, at]) => ({ event, at }))), marks));
    }

    it("writes one JSON line per record, and nothing without a file", () => {
        assert.equal(profileTo(undefined), undefined);
        assert.equal(profileTo(""), undefined);
        const dir = mkdtempSync(path.join(tmpdir(), "profile-"));
        try {
            const file = path.join(dir, "profile.jsonl");
            const profile = profileTo(file)!;
            profile({ kind: "command", args: ["stack", "ls"], start: 1, end: 2, ok: true });
            profile({ kind: "phase", name: "seeding", start: 3, end: 4 });
            assert.deepEqual(readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line).kind), ["command", "phase"]);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
