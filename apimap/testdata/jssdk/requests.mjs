// Prints, for every command that @aws-sdk/client-pinpoint-sms-voice-v2 exports,
// the HTTP request the SDK would send: one JSON line
// {command, method, path, target, contentType, body} (or {command, error}).
// Nothing is sent: a request handler captures the signed request and stops.
// Stdin is one JSON object mapping operation names to inputs; a command
// without one is sent with {}. Run by TestJSSDKCommandsMap (apimap/jssdk_test.go).
import * as sdk from "@aws-sdk/client-pinpoint-sms-voice-v2";

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const inputs = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");

class Captured extends Error {
  constructor(request) {
    super("captured");
    this.request = request;
  }
}

const client = new sdk.PinpointSMSVoiceV2Client({
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
  maxAttempts: 1,
  requestHandler: {
    handle: async (request) => {
      throw new Captured(request);
    },
  },
});

const names = Object.keys(sdk)
  .filter((k) => /^[A-Z][A-Za-z0-9]*Command$/.test(k) && typeof sdk[k] === "function")
  .sort();
for (const name of names) {
  const op = name.slice(0, -"Command".length);
  try {
    await client.send(new sdk[name](inputs[op] ?? {}));
    console.log(JSON.stringify({ command: name, error: "request was sent" }));
  } catch (e) {
    if (!(e instanceof Captured)) {
      console.log(JSON.stringify({ command: name, error: String(e && e.message) }));
      continue;
    }
    const r = e.request;
    const h = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v]));
    console.log(JSON.stringify({
      command: name,
      method: r.method,
      path: r.path,
      target: h["x-amz-target"] ?? "",
      contentType: h["content-type"] ?? "",
      body: typeof r.body === "string" ? r.body : Buffer.from(r.body ?? "").toString("utf8"),
    }));
  }
}
