// VMC (OSC over UDP) -> WebSocket JSON, for web pages (a browser cannot receive UDP).
//
//   node tools/vmc_bridge.mjs [UDP_PORT=39539] [WS_PORT=39540]
//   arpose serve --vmc 127.0.0.1:39539
//
// Node 18+ and nothing else (no npm packages). Both sockets bind 127.0.0.1 only. Each VMC
// frame (ended by /VMC/Ext/T) becomes one text message to every WebSocket client:
//   {"t": 1.25, "tracking": 1, "root": {"p": [x, y, z], "q": [x, y, z, w]},
//    "bones": {"Hips": {"p": [...], "q": [...]}, "LeftUpperArm": {...}, ...}}
// in VMC's (Unity's) axes, exactly as received: see docs/guide/engines.md for three-vrm.
import crypto from "node:crypto";
import dgram from "node:dgram";
import http from "node:http";

const udpPort = Number(process.argv[2] ?? 39539);
const wsPort = Number(process.argv[3] ?? 39540);
const clients = new Set();

function oscString(buf, i) {
  const end = buf.indexOf(0, i);
  return [buf.toString("utf8", i, end), (end + 4) & ~3];
}

function parse(buf, out) {
  if (buf.toString("latin1", 0, 8) === "#bundle\0") {
    for (let i = 16; i + 4 <= buf.length; ) {
      const n = buf.readInt32BE(i);
      parse(buf.subarray(i + 4, i + 4 + n), out);
      i += 4 + n;
    }
    return out;
  }
  let [address, i] = oscString(buf, 0);
  let tags;
  [tags, i] = oscString(buf, i);
  const args = [];
  for (const t of tags.slice(1)) {
    if (t === "f") { args.push(buf.readFloatBE(i)); i += 4; }
    else if (t === "i") { args.push(buf.readInt32BE(i)); i += 4; }
    else if (t === "s") { let s; [s, i] = oscString(buf, i); args.push(s); }
    else break;
  }
  out.push([address, args]);
  return out;
}

let frame = { bones: {} };
const udp = dgram.createSocket("udp4");
udp.on("message", (msg) => {
  let messages;
  try { messages = parse(msg, []); } catch { return; }
  for (const [address, a] of messages) {
    if (address === "/VMC/Ext/Bone/Pos" && a.length >= 8) frame.bones[a[0]] = { p: a.slice(1, 4), q: a.slice(4, 8) };
    else if (address === "/VMC/Ext/Root/Pos" && a.length >= 8) frame.root = { p: a.slice(1, 4), q: a.slice(4, 8) };
    else if (address === "/VMC/Ext/OK") frame.tracking = a.length >= 4 ? a[3] : a[0];
    else if (address === "/VMC/Ext/T") {
      frame.t = a[0];
      const text = Buffer.from(JSON.stringify(frame));
      const head = text.length < 126 ? Buffer.from([0x81, text.length])
        : text.length < 65536 ? Buffer.from([0x81, 126, text.length >> 8, text.length & 255])
        : Buffer.concat([Buffer.from([0x81, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(text.length)); return b; })()]);
      for (const c of clients) if (c.writableLength < 1 << 16) c.write(Buffer.concat([head, text]));
      frame = { bones: {} };
    }
  }
});
udp.bind(udpPort, "127.0.0.1", () => console.error(`vmc_bridge: VMC on udp://127.0.0.1:${udpPort}`));

const server = http.createServer((_, res) => { res.writeHead(426); res.end("WebSocket only\n"); });
server.on("upgrade", (req, socket) => {
  const key = req.headers["sec-websocket-key"];
  if (!key) { socket.destroy(); return; }
  const accept = crypto.createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
  socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    `Sec-WebSocket-Accept: ${accept}\r\n\r\n`);
  clients.add(socket);
  socket.on("data", (d) => { if ((d[0] & 0x0f) === 8) socket.end(); }); // a close frame
  socket.on("close", () => clients.delete(socket));
  socket.on("error", () => clients.delete(socket));
});
server.listen(wsPort, "127.0.0.1", () => console.error(`vmc_bridge: WebSocket on ws://127.0.0.1:${wsPort}`));
