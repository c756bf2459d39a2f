// The Socket.IO 4.8 chat server Roomlink's load client measures against.
// Same room semantics as a Roomlink instant chat without history: a socket
// joins a room, and every message sent to the room is broadcast to everyone
// in it (the sender included), in memory, nothing stored.
//
// Events: "join" (room name, optional ack), "message" (room name, body),
// which the server emits as "message" (body) to the room, and "typing"
// (room name, bool), emitted as "typing" to the others in the room. WebSocket transport only,
// no compression, heartbeat every 10 s (as Roomlink's tabs).
//
// Usage: PORT=3100 node server.js
'use strict';
const http = require('http');
const { Server } = require('socket.io');

const port = Number(process.env.PORT || 3100);
const httpServer = http.createServer();
const io = new Server(httpServer, {
  transports: ['websocket'],
  serveClient: false,
  perMessageDeflate: false,
  pingInterval: 10000,
  pingTimeout: 20000,
});

io.on('connection', (socket) => {
  socket.on('join', (room, ack) => {
    socket.join(String(room));
    if (typeof ack === 'function') ack('ok');
  });
  socket.on('message', (room, body) => {
    io.to(String(room)).emit('message', body);
  });
  // A typing indicator goes to everyone else in the room.
  socket.on('typing', (room, typing) => {
    socket.to(String(room)).emit('typing', { id: socket.id, typing: Boolean(typing) });
  });
});

httpServer.listen(port, '127.0.0.1', () => {
  console.log(`socket.io peer listening on 127.0.0.1:${port}`);
});
