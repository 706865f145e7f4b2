/**
 * The engine's events of one CLI operation, as the CLI streams them: `--event-log tcp://127.0.0.1:<port>`
 * (with PULUMI_DEBUG_COMMANDS set) sends each event as JSON over the Events gRPC service, the way the
 * Automation API itself listens for CLIs newer than 3.205 (sdk/nodejs/automation/stack.ts, setupEventLog).
 * The CLI ends the stream, and waits for the answer, before it exits: when the command is over, every
 * event has arrived.
 */
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { EventsService } from "@pulumi/pulumi/proto/events_grpc_pb";
import type { EventRequest } from "@pulumi/pulumi/proto/events_pb";

export interface EventStream {
    /** What `--event-log` takes. */
    address: string;
    close(): void;
}

/** Listens on a loopback port the kernel picks; `onEvent` gets each event and when it arrived. */
export async function listenForEvents(onEvent: (event: EngineEvent, at: number) => void): Promise<EventStream> {
    // A prelude carries the whole stack config: the SDK's own limit (runtime/settings.ts maxRPCMessageSize).
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    server.addService(EventsService, {
        streamEvents: (call: grpc.ServerReadableStream<EventRequest, Empty>, callback: grpc.sendUnaryData<Empty>) => {
            call.on("data", (request: EventRequest) => onEvent(JSON.parse(request.getEvent()) as EngineEvent, Date.now()));
            call.on("end", () => callback(null, new Empty()));
            call.on("error", (error) => callback(error, null));
        },
    });
    const port = await new Promise<number>((resolve, reject) => {
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
    });
    return { address: `tcp://127.0.0.1:${port}`, close: () => server.forceShutdown() };
}
