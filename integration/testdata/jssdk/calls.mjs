// Calls the real gateway with the AWS SDK for JavaScript v3: the clients of
// Pinpoint, SMS and Voice v1 (the only SDK client of that API), SMS and
// Voice v2 and STS, each pointed at the gateway by its endpoint option.
// Stdin is one JSON object:
//   {endpoint, region, users: {NAME: {accessKeyId, secretAccessKey}},
//    roleArn, sessionTags: [{Key, Value}], calls: [CALL...]}
// where a CALL is {name, api, command, input, as} and `as` is a user name,
// "session:USER" (GetSessionToken of USER first) or "role:USER" (USER
// assumes roleArn with sessionTags first). Each call prints one JSON line:
//   {name, ok, output} or {name, ok: false, error: {name, status, fault,
//   message, typed}}
// where `typed` says whether the error is an instance of the client's own
// exception class of that name (e.g. the v2 client's AccessDeniedException).
// Retries are off, so every failure shows. Run by TestJSSDK (integration/jssdk_test.go).
import * as pinpoint from "@aws-sdk/client-pinpoint";
import * as smsv1 from "@aws-sdk/client-pinpoint-sms-voice";
import * as smsv2 from "@aws-sdk/client-pinpoint-sms-voice-v2";
import * as sts from "@aws-sdk/client-sts";

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const cfg = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const apis = {
  pinpoint: { sdk: pinpoint, Client: pinpoint.PinpointClient },
  "sms-voice": { sdk: smsv1, Client: smsv1.PinpointSMSVoiceClient },
  "sms-voice-v2": { sdk: smsv2, Client: smsv2.PinpointSMSVoiceV2Client },
  sts: { sdk: sts, Client: sts.STSClient },
};

function client(api, credentials) {
  const a = apis[api];
  if (!a) throw new Error(`unknown api ${api}`);
  return new a.Client({ region: cfg.region, endpoint: cfg.endpoint, credentials, maxAttempts: 1 });
}

// Temporary credentials, obtained once per principal through the gateway's STS.
const temporary = new Map();
async function credentialsFor(as) {
  const [kind, user] = as.includes(":") ? as.split(":", 2) : ["user", as];
  const base = cfg.users[user];
  if (!base) throw new Error(`unknown user ${user}`);
  if (kind === "user") return base;
  if (temporary.has(as)) return temporary.get(as);
  const c = client("sts", base);
  let out;
  if (kind === "session") {
    out = await c.send(new sts.GetSessionTokenCommand({ DurationSeconds: 900 }));
  } else if (kind === "role") {
    out = await c.send(new sts.AssumeRoleCommand({
      RoleArn: cfg.roleArn, RoleSessionName: `jssdk-${user}`, Tags: cfg.sessionTags, DurationSeconds: 900,
    }));
  } else {
    throw new Error(`unknown principal kind ${kind}`);
  }
  const cr = {
    accessKeyId: out.Credentials.AccessKeyId,
    secretAccessKey: out.Credentials.SecretAccessKey,
    sessionToken: out.Credentials.SessionToken,
  };
  temporary.set(as, cr);
  return cr;
}

// Dates become ISO strings, Uint8Arrays base64: the output is plain JSON.
function plain(v) {
  return JSON.parse(JSON.stringify(v, (k, x) => (k === "$metadata" ? undefined : x)));
}

for (const call of cfg.calls) {
  const { sdk } = apis[call.api] ?? {};
  try {
    const Command = sdk?.[`${call.command}Command`];
    if (!Command) throw new Error(`no ${call.command}Command in the ${call.api} client`);
    const out = await client(call.api, await credentialsFor(call.as)).send(new Command(call.input ?? {}));
    console.log(JSON.stringify({ name: call.name, ok: true, output: plain(out) }));
  } catch (e) {
    const Own = sdk?.[e?.name];
    console.log(JSON.stringify({
      name: call.name,
      ok: false,
      error: {
        name: e?.name ?? "",
        status: e?.$metadata?.httpStatusCode ?? 0,
        fault: e?.$fault ?? "",
        message: String(e?.message ?? e),
        typed: typeof Own === "function" && e instanceof Own,
      },
    }));
  }
}
