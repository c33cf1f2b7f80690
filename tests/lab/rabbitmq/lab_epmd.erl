%% lab_epmd.erl - an epmd_module for the exposure lab's RabbitMQ nodes
%% (tests/lab/lab.d/rabbitmq.sh): no epmd daemon (it would listen on
%% 0.0.0.0:4369 for the whole machine); each node's distribution port is
%% fixed by LAB_DIST_PORT and its address by LAB_DIST_ADDR, and name
%% lookups answer from those alone. Nodes of the lab never meet each other.
-module(lab_epmd).
-export([start_link/0, register_node/2, register_node/3, port_please/2,
         port_please/3, names/0, names/1, listen_port_please/2,
         address_please/3]).

port() ->
    case os:getenv("LAB_DIST_PORT") of
        false -> 0;
        P -> list_to_integer(P)
    end.

start_link() -> ignore.
register_node(_Name, _Port) -> {ok, 1}.
register_node(_Name, _Port, _Family) -> {ok, 1}.
port_please(_Name, _Host) -> {port, port(), 5}.
port_please(_Name, _Host, _Timeout) -> {port, port(), 5}.
names() -> {ok, []}.
names(_Host) -> {ok, []}.
listen_port_please(_Name, _Host) -> {ok, port()}.
address_please(_Name, _Host, _Family) ->
    {ok, Ip} = inet:parse_address(os:getenv("LAB_DIST_ADDR", "127.0.0.1")),
    {ok, Ip}.
