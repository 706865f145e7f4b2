import { strict as assert } from "node:assert";
import { DescribeRulesCommand, ElasticLoadBalancingV2Client, ModifyRuleCommand, Rule } from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { Elbv2Weights } from "../../automation/real/elbv2Weights";
import { RuleRef } from "../../automation/core/ports";

const tg = (service: string, color: string) => `arn:aws:elasticloadbalancing:ap-northeast-1:1:targetgroup/prod-apne1-${service}-${color}/${service}${color}`;
const ref = (service: string): RuleRef => ({
    service,
    ruleArn: `arn:aws:elasticloadbalancing:ap-northeast-1:1:listener-rule/app/lb/1/2/${service}`,
    targetGroupArns: { blue: tg(service, "blue"), green: tg(service, "green") },
});
const api = ref("api");
const web = ref("web");

/** A rule as DescribeRules returns it; green listed first to show order does not matter. */
const rule = (r: RuleRef, blue: number, green: number, extra: Partial<Rule> = {}): Rule => ({
    RuleArn: r.ruleArn,
    Priority: "10",
    Actions: [
        {
            Type: "forward",
            Order: 1,
            ForwardConfig: {
                TargetGroups: [
                    { TargetGroupArn: r.targetGroupArns.green, Weight: green },
                    { TargetGroupArn: r.targetGroupArns.blue, Weight: blue },
                ],
                TargetGroupStickinessConfig: { Enabled: false },
            },
        },
    ],
    ...extra,
});

const elb = mockClient(ElasticLoadBalancingV2Client);
const client = new ElasticLoadBalancingV2Client({ region: "ap-northeast-1" });
let weights: Elbv2Weights;

describe("real/Elbv2Weights", () => {
    beforeEach(() => {
        elb.reset();
        weights = new Elbv2Weights(() => client);
    });

    it("reads every rule in one DescribeRules call and maps target groups to colors", async () => {
        elb.on(DescribeRulesCommand).resolves({ Rules: [rule(web, 100, 0), rule(api, 75, 25)] });
        assert.deepEqual(await weights.read("ap-northeast-1", [api, web]), { api: { blue: 75, green: 25 }, web: { blue: 100, green: 0 } });
        const calls = elb.commandCalls(DescribeRulesCommand);
        assert.equal(calls.length, 1);
        assert.deepEqual(calls[0].args[0].input.RuleArns, [api.ruleArn, web.ruleArn]);
    });

    it("follows NextMarker", async () => {
        elb.on(DescribeRulesCommand)
            .resolvesOnce({ Rules: [rule(api, 50, 50)], NextMarker: "m2" })
            .resolvesOnce({ Rules: [rule(web, 50, 50)] });
        assert.deepEqual(Object.keys(await weights.read("ap-northeast-1", [api, web])), ["api", "web"]);
        assert.equal(elb.commandCalls(DescribeRulesCommand)[1].args[0].input.Marker, "m2");
    });

    it("rejects a rule that forwards to other target groups, naming the rule", async () => {
        const stray = rule(api, 100, 0);
        stray.Actions![0].ForwardConfig!.TargetGroups![0].TargetGroupArn = tg("api", "canary");
        elb.on(DescribeRulesCommand).resolves({ Rules: [stray] });
        await assert.rejects(weights.read("ap-northeast-1", [api]), new RegExp(`rule ${api.ruleArn} \\(api\\) forwards to .*canary`));
    });

    it("rejects a rule that did not come back", async () => {
        elb.on(DescribeRulesCommand).resolves({ Rules: [rule(api, 100, 0)] });
        await assert.rejects(weights.read("ap-northeast-1", [api, web]), /rules not found in ap-northeast-1: .*\(web\)/);
    });

    it("writes only the forward weights, keeping other actions and stickiness, and counts its API calls", async () => {
        const authenticate = { Type: "authenticate-oidc" as const, Order: 1, AuthenticateOidcConfig: { Issuer: "https://sso", AuthorizationEndpoint: "a", TokenEndpoint: "t", UserInfoEndpoint: "u", ClientId: "c" } };
        const guarded = rule(api, 25, 75);
        guarded.Actions = [authenticate, { ...guarded.Actions![0], Order: 2, TargetGroupArn: api.targetGroupArns.green }];
        elb.on(DescribeRulesCommand).resolves({ Rules: [guarded, rule(web, 25, 75)] });
        elb.on(ModifyRuleCommand).resolves({});
        await weights.write("ap-northeast-1", [api, web], { blue: 100, green: 0 });
        assert.equal(weights.apiCalls, 3);
        const modified = elb.commandCalls(ModifyRuleCommand).map((c) => c.args[0].input);
        assert.deepEqual(modified[0], {
            RuleArn: api.ruleArn,
            Actions: [
                authenticate,
                {
                    Type: "forward",
                    Order: 2,
                    ForwardConfig: {
                        TargetGroups: [
                            { TargetGroupArn: api.targetGroupArns.blue, Weight: 100 },
                            { TargetGroupArn: api.targetGroupArns.green, Weight: 0 },
                        ],
                        TargetGroupStickinessConfig: { Enabled: false },
                    },
                },
            ],
        });
        assert.equal(modified[1].RuleArn, web.ruleArn);
    });

    it("leaves rules already at the weights alone", async () => {
        elb.on(DescribeRulesCommand).resolves({ Rules: [rule(api, 100, 0), rule(web, 25, 75)] });
        elb.on(ModifyRuleCommand).resolves({});
        await weights.write("ap-northeast-1", [api, web], { blue: 100, green: 0 });
        assert.equal(weights.apiCalls, 2);
        assert.deepEqual(elb.commandCalls(ModifyRuleCommand).map((c) => c.args[0].input.RuleArn), [web.ruleArn]);
    });

    it("refuses weights that break the project's rule before calling AWS", async () => {
        await assert.rejects(weights.write("ap-northeast-1", [api], { blue: 60, green: 60 }), /refusing to write weights: weights must sum to 100/);
        assert.equal(elb.calls().length, 0);
    });

    it("keeps rolling back the other rules when one ModifyRule fails, then reports it", async () => {
        elb.on(DescribeRulesCommand).resolves({ Rules: [rule(api, 0, 100), rule(web, 0, 100)] });
        elb.on(ModifyRuleCommand, { RuleArn: api.ruleArn }).rejects(new Error("Throttling"));
        elb.on(ModifyRuleCommand, { RuleArn: web.ruleArn }).resolves({});
        await assert.rejects(weights.write("ap-northeast-1", [api, web], { blue: 100, green: 0 }), /weights not set in ap-northeast-1 for api: Throttling$/);
        assert.equal(elb.commandCalls(ModifyRuleCommand).length, 2);
    });
});
