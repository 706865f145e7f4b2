/**
 * Listener actions and rule conditions between the shapes of `@pulumi/aws` inputs (camelCase, `forward.targetGroups
 * [{arn, weight}]`, `hostHeader.values`) and of the ELBv2 API (`ForwardConfig.TargetGroups[{TargetGroupArn,
 * Weight}]`, `Field: host-header`), both ways: the fake aws provider writes rules into the emulator with the
 * first, and reads them back (refresh) into the second, so a weight set directly on the load balancer shows up
 * as drift, as it would on AWS. Shapes per the pulumi-aws 7.48 schema (aws:lb/ListenerRuleAction,
 * aws:lb/ListenerRuleCondition) and the ELBv2 API reference (Action, RuleCondition).
 */
import { Action, RuleCondition } from "@aws-sdk/client-elastic-load-balancing-v2";

export interface PulumiTargetGroup {
    arn: string;
    weight?: number;
}

export interface PulumiAction {
    type: string;
    order?: number;
    targetGroupArn?: string;
    forward?: { targetGroups: PulumiTargetGroup[]; stickiness?: { enabled: boolean; duration?: number } };
    fixedResponse?: { contentType: string; messageBody?: string; statusCode?: string };
    redirect?: { protocol?: string; port?: string; host?: string; path?: string; query?: string; statusCode: string };
}

export interface PulumiCondition {
    hostHeader?: { values: string[] };
    pathPattern?: { values: string[] };
}

export function toApiAction(action: PulumiAction): Action {
    const result: Action = { Type: action.type as Action["Type"], Order: action.order };
    if (action.targetGroupArn) result.TargetGroupArn = action.targetGroupArn;
    if (action.forward) {
        result.ForwardConfig = {
            TargetGroups: action.forward.targetGroups.map((g) => ({ TargetGroupArn: g.arn, Weight: g.weight ?? 1 })),
            TargetGroupStickinessConfig: action.forward.stickiness
                ? { Enabled: action.forward.stickiness.enabled, DurationSeconds: action.forward.stickiness.enabled ? action.forward.stickiness.duration : undefined }
                : undefined,
        };
    }
    if (action.fixedResponse) {
        const f = action.fixedResponse;
        result.FixedResponseConfig = { ContentType: f.contentType, MessageBody: f.messageBody, StatusCode: f.statusCode ?? "200" };
    }
    if (action.redirect) {
        const r = action.redirect;
        result.RedirectConfig = { Protocol: r.protocol, Port: r.port, Host: r.host, Path: r.path, Query: r.query, StatusCode: r.statusCode as "HTTP_301" | "HTTP_302" };
    }
    return result;
}

/** The API's action in the provider's shape, keeping the input's fields the API does not echo (stickiness duration). */
export function fromApiAction(action: Action, like?: PulumiAction): PulumiAction {
    const result: PulumiAction = { ...(like ?? {}), type: action.Type ?? "forward" };
    if (action.ForwardConfig?.TargetGroups) {
        result.forward = {
            ...(like?.forward ?? {}),
            targetGroups: action.ForwardConfig.TargetGroups.map((g) => ({ arn: g.TargetGroupArn!, weight: g.Weight })),
        };
    }
    return result;
}

export function toApiCondition(condition: PulumiCondition): RuleCondition {
    if (condition.hostHeader) return { Field: "host-header", HostHeaderConfig: { Values: condition.hostHeader.values } };
    if (condition.pathPattern) return { Field: "path-pattern", PathPatternConfig: { Values: condition.pathPattern.values } };
    throw new Error(`the AWS emulator path supports host-header and path-pattern rule conditions, not ${JSON.stringify(condition)}`);
}
