/*
 * report_jsonout.c - a JSON document written as it is produced: the JSON,
 * SARIF and DefectDojo writers print one element (a target, a finding, a
 * result) at a time through cJSON's printer, indented to its depth, so the
 * file is byte for byte what printing the whole tree would give while
 * memory holds one element, not the estate.
 *
 * A writer whose document is a small skeleton around one long array builds
 * the skeleton with json_hole() as that array's only element; the text up
 * to the hole is written, then the elements, then the rest.
 */
#include <stdlib.h>
#include <string.h>
#include "expo.h"
#include "report_priv.h"

/* bytes gathered before a write */
#define JSON_CHUNK (256 * 1024)
/* a raw element no printed string can hold: cJSON writes a control
 * character in a string as \u00XX */
#define JSON_HOLE "\x01hole\x01"

int json_out_open(struct json_out *o, const char *path, unsigned flags)
{
	memset(o, 0, sizeof(*o));
	o->af.fd = -1;
	dynbuf_init(&o->b, REPORT_MAX_BYTES);
	o->err = path != NULL ? atomic_file_open_flags(&o->af, path, flags)
			      : EXPO_EINVAL;
	o->open = o->err == 0;
	return o->err;
}

void json_out_put(struct json_out *o, const char *s, size_t n)
{
	if (o->err == 0)
		o->err = dynbuf_add(&o->b, s, n);
	if (o->err == 0 && dynbuf_len(&o->b) >= JSON_CHUNK) {
		o->err = atomic_file_write(&o->af, dynbuf_ptr(&o->b),
					   dynbuf_len(&o->b));
		dynbuf_reset(&o->b);
	}
}

void json_out_indented(struct json_out *o, const char *s, size_t n, int depth)
{
	static const char tabs[] = "\t\t\t\t\t\t\t\t";
	const char *nl;

	if (depth > (int)sizeof(tabs) - 1)
		depth = (int)sizeof(tabs) - 1;
	/* the printer's newlines are all layout: one in a string is \n */
	while (n > 0 && o->err == 0) {
		nl = memchr(s, '\n', n);
		if (nl == NULL) {
			json_out_put(o, s, n);
			break;
		}
		json_out_put(o, s, (size_t)(nl - s) + 1);
		json_out_put(o, tabs, (size_t)depth);
		n -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
}

void json_out_item(struct json_out *o, cJSON *item, int depth)
{
	char *text;

	if (item == NULL) {
		o->err = o->err ? o->err : EXPO_ENOMEM;
		return;
	}
	if ((text = cJSON_Print(item)) == NULL) {
		o->err = o->err ? o->err : EXPO_ENOMEM;
	} else {
		json_out_indented(o, text, strlen(text), depth);
		cJSON_free(text);
	}
	cJSON_Delete(item);
}

void json_out_element(struct json_out *o, size_t i, cJSON *holder, int depth)
{
	if (holder == NULL) {
		o->err = o->err ? o->err : EXPO_ENOMEM;
		return;
	}
	if (i > 0)
		json_out_put(o, ", ", 2);
	json_out_item(o, cJSON_DetachItemFromArray(holder, 0), depth);
	cJSON_Delete(holder);
}

cJSON *json_hole(void)
{
	return cJSON_CreateRaw(JSON_HOLE);
}

int json_out_until_hole(struct json_out *o, cJSON *skeleton, char **rest,
			int *depth)
{
	char *text = NULL, *hole, *line;

	*rest = NULL;
	*depth = 0;
	if (o->err == 0 &&
	    (skeleton == NULL || (text = cJSON_Print(skeleton)) == NULL))
		o->err = EXPO_ENOMEM;
	cJSON_Delete(skeleton);
	if (o->err != 0)
		goto out;
	/* the hole is the only element of an array that is an object's
	 * member, on a line of its own: `\t..."key":\t[HOLE]` */
	if ((hole = strstr(text, JSON_HOLE)) == NULL || hole - text < 4 ||
	    memcmp(hole - 4, "\":\t[", 4) != 0) {
		o->err = EXPO_EINVAL;
		goto out;
	}
	/* its elements then sit one level deeper than that line's tabs */
	for (line = hole; line > text && line[-1] != '\n'; line--)
		;
	while (line[*depth] == '\t')
		++*depth;
	++*depth;
	json_out_put(o, text, (size_t)(hole - text));
	*rest = text;
	memmove(text, hole + strlen(JSON_HOLE),
		strlen(hole + strlen(JSON_HOLE)) + 1);
	text = NULL;
out:
	cJSON_free(text);
	return o->err;
}

void json_out_rest(struct json_out *o, char *rest)
{
	if (rest != NULL)
		json_out_put(o, rest, strlen(rest));
	cJSON_free(rest);
}

int json_out_close(struct json_out *o, int err)
{
	int r = err != 0 ? err : o->err;

	if (r == 0 && dynbuf_len(&o->b) > 0)
		r = atomic_file_write(&o->af, dynbuf_ptr(&o->b),
				      dynbuf_len(&o->b));
	if (r == 0 && o->open)
		r = atomic_file_commit(&o->af);
	else if (o->open)
		atomic_file_abort(&o->af);
	o->open = false;
	dynbuf_release(&o->b);
	return r;
}
