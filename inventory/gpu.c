/*
 * gpu.c - the GPU an instance has, from its inventory record: a fact on
 * its findings that ranks them above the same ones without a GPU
 * (DESIGN.md "Ranking": what cryptojacking and LLMjacking pay for).
 *
 *   AWS    InstanceType / instance_type of a GPU family: p2..p6 (p4d,
 *          p5en, ...), g3..g6 (g4dn, g5g, ...), gr6
 *   GCP    guestAccelerators[] / guest_accelerator[] (the accelerator
 *          type and count), or a machine type with GPUs built in
 *          (a2-, a3-, a4-, g2-, g4-)
 *   Azure  hardwareProfile.vmSize / size / vm_size of the N series
 *          (Standard_NC, _ND, _NV, ...)
 * Anything else, or a field missing, is "no GPU known": never an error.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "expo.h"
#include "loaders.h"

static const char *str_of(const cJSON *obj, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

/* "projects/p/zones/z/machineTypes/a2-highgpu-1g" -> "a2-highgpu-1g" */
static const char *last_seg(const char *s)
{
	const char *sl = s ? strrchr(s, '/') : NULL;

	return sl ? sl + 1 : s;
}

/* p4d.24xlarge, g5.xlarge, gr6.4xlarge: a GPU family */
static bool aws_gpu_type(const char *t)
{
	size_t i = 0;

	if (t == NULL || (t[0] != 'p' && t[0] != 'g'))
		return false;
	i = t[0] == 'g' && t[1] == 'r' ? 2 : 1;
	return isdigit((unsigned char)t[i]) && strchr(t, '.') != NULL;
}

static bool gcp_gpu_machine(const char *t)
{
	static const char *const pre[] = { "a2-", "a3-", "a4-", "g2-", "g4-" };
	size_t i;

	for (i = 0; t != NULL && i < ARRAY_SIZE(pre); i++)
		if (strncmp(t, pre[i], strlen(pre[i])) == 0)
			return true;
	return false;
}

/* the first accelerator of a GCP list: "accelerator nvidia-tesla-t4 x1" */
static bool gcp_accel(const cJSON *arr, const char *tkey, const char *nkey,
		      char *buf, size_t size)
{
	const cJSON *a = cJSON_GetArrayItem(arr, 0);
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(a, nkey);
	const char *type = last_seg(str_of(a, tkey));

	if (!cJSON_IsArray(arr) || type == NULL || *type == '\0')
		return false;
	if (cJSON_IsNumber(n) && n->valuedouble >= 1 && n->valuedouble < 1e6)
		snprintf(buf, size, "accelerator %s x%d", type,
			 (int)n->valuedouble);
	else
		snprintf(buf, size, "accelerator %s", type);
	return true;
}

bool inv_gpu_why(const cJSON *v, const char *kind, char *buf, size_t size)
{
	const char *type = NULL;

	if (size == 0)
		return false;
	buf[0] = '\0';
	if (!cJSON_IsObject(v) || kind == NULL)
		return false;
	if (!strcmp(kind, "aws") || !strcmp(kind, "aws_instance")) {
		type = str_of(v, "InstanceType");
		if (type == NULL)
			type = str_of(v, "instance_type");
		if (aws_gpu_type(type))
			snprintf(buf, size, "instance type %s", type);
	} else if (!strcmp(kind, "gcp") ||
		   !strcmp(kind, "google_compute_instance")) {
		type = last_seg(str_of(v, "machineType"));
		if (type == NULL)
			type = last_seg(str_of(v, "machine_type"));
		if (!gcp_accel(cJSON_GetObjectItemCaseSensitive(
				       v, "guestAccelerators"),
			       "acceleratorType", "acceleratorCount", buf,
			       size) &&
		    !gcp_accel(cJSON_GetObjectItemCaseSensitive(
				       v, "guest_accelerator"),
			       "type", "count", buf, size) &&
		    gcp_gpu_machine(type))
			snprintf(buf, size, "machine type %s", type);
	} else {
		type = str_of(
			cJSON_GetObjectItemCaseSensitive(v, "hardwareProfile"),
			"vmSize");
		if (type == NULL)
			type = str_of(cJSON_GetObjectItemCaseSensitive(
					      cJSON_GetObjectItemCaseSensitive(
						      v, "properties"),
					      "hardwareProfile"),
				      "vmSize");
		if (type == NULL)
			type = str_of(v, "size");
		if (type == NULL)
			type = str_of(v, "vm_size");
		if (type != NULL && strncasecmp(type, "Standard_N", 10) == 0)
			snprintf(buf, size, "VM size %s", type);
	}
	return buf[0] != '\0';
}

int inv_gpu_detect(struct target *t, const cJSON *v, const char *kind)
{
	char buf[128];

	if (t->meta == NULL || t->meta->gpu != NULL ||
	    !inv_gpu_why(v, kind, buf, sizeof(buf)))
		return 0;
	return inv_set_str(&t->meta->gpu, buf);
}
