#!/usr/bin/env python3
# lab_epmd.py ADDR DIST_PORT NODE - answers the one epmd question a lab
# RabbitMQ node asks over the wire (tests/lab/lab.d/rabbitmq.sh): its own
# distribution port (PORT_PLEASE2_REQ, epmd protocol in ERTS's "Distribution
# Protocol" docs), on ADDR:4369 only. RabbitMQ 3.10's
# rabbit_networking:record_distribution_listener() calls erl_epmd directly,
# past the node's -epmd_module (lab_epmd.erl answers everything else).
# Any other request is answered by closing the connection.
import socket
import struct
import sys
import threading

addr, port, node = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()


def serve(conn):
    with conn:
        conn.settimeout(5)
        try:
            head = conn.recv(2)
            if len(head) < 2:
                return
            n = struct.unpack(">H", head)[0]
            req = b""
            while len(req) < n and n <= 512:
                chunk = conn.recv(n - len(req))
                if not chunk:
                    return
                req += chunk
            if req[:1] != b"z" or req[1:] != node:
                if req[:1] == b"z":
                    conn.sendall(b"w\x01")  # not known
                return
            conn.sendall(b"w\x00" + struct.pack(">HBBHHH", port, 77, 0, 6, 5,
                                                len(node)) + node + b"\x00\x00")
        except OSError:
            pass


s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, 4369))
s.listen(16)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
