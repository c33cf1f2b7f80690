/*
 * doors.c - the one table of "doors": ports where a management, database
 * or AI/automation control plane listens. cloud.port_open_to_world and
 * cloud.gpu_instance_exposed judge firewall rules against it.
 *
 * A port is a door when an enabled or disabled check of the registry
 * probes it by default (so a new check's ports become doors with no edit
 * here), or when it is one of the control planes below that no check
 * probes yet (PROBES-2.md A.3: their default ports). The generic web ports
 * 80 and 443 are never doors: a web server open to the world is the point
 * of most web servers. A door has a protocol: a UDP check's ports (SNMP's
 * 161) are UDP doors, which only a rule opening UDP opens; the list below
 * is TCP.
 */
#include <pthread.h>
#include <stddef.h>
#include "expo.h"
#include "posture.h"

static const struct {
	uint16_t from, to;
	const char *service;
} extra_doors[] = {
	{ 21, 21, "ftp" },
	{ 23, 23, "telnet" },
	{ 1433, 1434, "mssql" },
	{ 1880, 1880, "node-red" },
	{ 1883, 1883, "mqtt" },
	{ 2181, 2181, "zookeeper" },
	{ 3000, 3000, "open-webui" },
	{ 3001, 3001, "mcp" },
	{ 4000, 4000, "litellm" },
	{ 4040, 4040, "spark-ui" },
	{ 4646, 4646, "nomad" },
	{ 5000, 5000, "docker-registry" },
	{ 5432, 5432, "postgresql" },
	{ 5672, 5672, "amqp" },
	{ 5678, 5678, "n8n" },
	{ 5900, 5902, "vnc" },
	{ 5984, 5984, "couchdb" },
	{ 5985, 5986, "winrm" },
	{ 6066, 6066, "spark-rest" },
	{ 7070, 7071, "torchserve" },
	{ 7077, 7077, "spark" },
	{ 7860, 7860, "langflow" },
	{ 8000, 8000, "openai-api" },
	{ 8080, 8082, "http-admin" },
	{ 8086, 8086, "influxdb" },
	{ 8188, 8188, "comfyui" },
	{ 9000, 9001, "minio" },
	{ 9443, 9443, "portainer" },
	{ 11434, 11434, "ollama" },
	{ 15672, 15672, "rabbitmq" },
};

/* every door port, ascending, built once from the registry and the list
 * above: a rule opening 0-65535 costs one pass over ~60 ports, not 65536
 * lookups */
static uint16_t doors[256];
static uint8_t door_protos[256]; /* enum port_proto */
static const char *door_names[256];
static size_t ndoors;
static pthread_once_t doors_once = PTHREAD_ONCE_INIT;

static void door_add(uint16_t port, unsigned proto, const char *service)
{
	size_t i, j;

	if (port == 80 || port == 443 || port == 0)
		return;
	for (i = 0; i < ndoors && (doors[i] < port || (doors[i] == port &&
						       door_protos[i] < proto));
	     i++)
		;
	if ((i < ndoors && doors[i] == port && door_protos[i] == proto) ||
	    ndoors == ARRAY_SIZE(doors))
		return; /* the first name wins: the registry's */
	for (j = ndoors; j > i; j--) {
		doors[j] = doors[j - 1];
		door_protos[j] = door_protos[j - 1];
		door_names[j] = door_names[j - 1];
	}
	doors[i] = port;
	door_protos[i] = (uint8_t)proto;
	door_names[i] = service;
	ndoors++;
}

static void doors_build(void)
{
	size_t i, k;
	uint32_t p;

	for (i = 0; i < check_registry_len; i++) {
		const struct check *c = check_registry[i];

		for (k = 0; k < c->nports; k++)
			door_add(c->ports[k],
				 (c->flags & CHECK_UDP) ? PROTO_UDP : PROTO_TCP,
				 c->name);
	}
	for (i = 0; i < ARRAY_SIZE(extra_doors); i++)
		for (p = extra_doors[i].from; p <= extra_doors[i].to; p++)
			door_add((uint16_t)p, PROTO_TCP,
				 extra_doors[i].service);
}

const char *door_service_proto(uint16_t port, unsigned proto)
{
	size_t i;

	pthread_once(&doors_once, doors_build);
	for (i = 0; i < ndoors && doors[i] <= port; i++)
		if (doors[i] == port && door_protos[i] == proto)
			return door_names[i];
	return NULL;
}

const char *door_service(uint16_t port)
{
	return door_service_proto(port, PROTO_TCP);
}

void door_each_proto(unsigned protos, uint16_t from, uint16_t to,
		     void (*fn)(void *ud, uint16_t port, unsigned proto,
				const char *service),
		     void *ud)
{
	size_t i;

	pthread_once(&doors_once, doors_build);
	for (i = 0; i < ndoors; i++)
		if (doors[i] >= from && doors[i] <= to &&
		    (protos & PROTO_BIT(door_protos[i])))
			fn(ud, doors[i], door_protos[i], door_names[i]);
}

struct tcp_only {
	void (*fn)(void *ud, uint16_t port, const char *service);
	void *ud;
};

static void tcp_only_fn(void *ud, uint16_t port, unsigned proto,
			const char *service)
{
	struct tcp_only *t = ud;

	(void)proto;
	t->fn(t->ud, port, service);
}

void door_each(uint16_t from, uint16_t to,
	       void (*fn)(void *ud, uint16_t port, const char *service),
	       void *ud)
{
	struct tcp_only t = { fn, ud };

	door_each_proto(PROTO_BIT(PROTO_TCP), from, to, tcp_only_fn, &t);
}
