// tests/lab/npm/bind.cjs - preloaded into the lab's Node servers
// (node --require): every TCP listen() of the process goes to
// LAB_BIND_HOST, whatever host the server asked for (server-everything
// calls app.listen(PORT), which Node binds to every interface). With
// LAB_BEARER_FILE, every HTTP request without "Authorization: Bearer
// <the file's token>" gets 401 before the server sees it: the refusing
// twin of an MCP server, as a bearer-token proxy in front of it would.
'use strict';
const net = require('net');
const http = require('http');
const fs = require('fs');

const host = process.env.LAB_BIND_HOST;
if (!host || !/^127\.\d+\.\d+\.\d+$/.test(host)) {
	process.stderr.write('bind.cjs: LAB_BIND_HOST must be a 127.x address\n');
	process.exit(1);
}

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
	const a0 = args[0];
	const cb = args.find((a) => typeof a === 'function');
	if (a0 !== null && typeof a0 === 'object' && !(a0 instanceof net.Server)) {
		if (a0.path !== undefined || a0.fd !== undefined || a0._handle)
			return listen.apply(this, args);
		return listen.call(this, Object.assign({}, a0, { host }), cb);
	}
	if (typeof a0 === 'number' || (typeof a0 === 'string' && /^\d+$/.test(a0)) ||
	    a0 === undefined)
		return listen.call(this, { port: Number(a0 || 0), host }, cb);
	return listen.apply(this, args); // a Unix socket path
};

if (process.env.LAB_BEARER_FILE) {
	const token = fs.readFileSync(process.env.LAB_BEARER_FILE, 'utf8').trim();
	const emit = http.Server.prototype.emit;
	http.Server.prototype.emit = function (ev, req, res) {
		if (ev === 'request' &&
		    req.headers.authorization !== 'Bearer ' + token) {
			res.writeHead(401, {
				'Content-Type': 'application/json',
				'WWW-Authenticate': 'Bearer realm="mcp", error="invalid_token"',
			});
			res.end('{"error":"invalid_token","error_description":"Authorization required"}');
			return true;
		}
		return emit.apply(this, arguments);
	};
}
