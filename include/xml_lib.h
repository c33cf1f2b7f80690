/*
 * xml_lib.h - libxml2, opened at first use (dlopen) instead of linked: with
 * ICU and libstdc++ behind it, it cost every scan about half a megabyte of
 * resident memory and a dozen libraries to load, though only an nmap XML
 * inventory needs it (the discovery benchmark holds us to nmap's memory).
 * Include this instead of <libxml/...>; the calls keep their names and go
 * through the loaded library's table. Call xml_lib_load() before the first.
 */
#ifndef XML_LIB_H
#define XML_LIB_H

#include <stddef.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

/* one symbol a line, kept so by hand */
/* clang-format off */
#define XML_LIB_FUNCS(X) \
	X(xmlGetLineNo) \
	X(xmlGetProp) \
	X(xmlFreeTextReader) \
	X(xmlReaderForMemory) \
	X(xmlTextReaderConstLocalName) \
	X(xmlTextReaderConstName) \
	X(xmlTextReaderConstPrefix) \
	X(xmlTextReaderCurrentNode) \
	X(xmlTextReaderDepth) \
	X(xmlTextReaderExpand) \
	X(xmlTextReaderNext) \
	X(xmlTextReaderNodeType) \
	X(xmlTextReaderRead) \
	X(xmlTextReaderSetStructuredErrorHandler)
/* clang-format on */

struct xml_lib {
#define XML_LIB_MEMBER(f) __typeof__(&f) f;
	XML_LIB_FUNCS(XML_LIB_MEMBER)
#undef XML_LIB_MEMBER
	/* libxml2's xmlFree is a variable holding the free function */
	xmlFreeFunc *free_fn;
};

extern struct xml_lib xml_lib;

/* loads libxml2 once (thread-safe); 0, or < 0 with err filled */
int xml_lib_load(char *err, size_t errlen);

#ifndef XML_LIB_IMPL
#define xmlGetLineNo (xml_lib.xmlGetLineNo)
#define xmlGetProp (xml_lib.xmlGetProp)
#define xmlFreeTextReader (xml_lib.xmlFreeTextReader)
#define xmlReaderForMemory (xml_lib.xmlReaderForMemory)
#define xmlTextReaderConstLocalName (xml_lib.xmlTextReaderConstLocalName)
#define xmlTextReaderConstName (xml_lib.xmlTextReaderConstName)
#define xmlTextReaderConstPrefix (xml_lib.xmlTextReaderConstPrefix)
#define xmlTextReaderCurrentNode (xml_lib.xmlTextReaderCurrentNode)
#define xmlTextReaderDepth (xml_lib.xmlTextReaderDepth)
#define xmlTextReaderExpand (xml_lib.xmlTextReaderExpand)
#define xmlTextReaderNext (xml_lib.xmlTextReaderNext)
#define xmlTextReaderNodeType (xml_lib.xmlTextReaderNodeType)
#define xmlTextReaderRead (xml_lib.xmlTextReaderRead)
#define xmlTextReaderSetStructuredErrorHandler \
	(xml_lib.xmlTextReaderSetStructuredErrorHandler)
#undef xmlFree
#define xmlFree (*xml_lib.free_fn)
#endif

#endif
