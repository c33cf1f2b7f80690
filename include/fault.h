/*
 * fault.h - allocation-failure injection for tests. A site names one
 * allocation path in the code ("probe_begin"); fault_arm() makes the nth
 * pass through it (1 = the next) report a failure, once. Nothing is ever
 * armed outside tests, where fault_hit() costs one relaxed atomic load.
 */
#ifndef EXPO_FAULT_H
#define EXPO_FAULT_H

#include <stdbool.h>

void fault_arm(const char *site, unsigned nth);
/* true when this pass through site is the armed one */
bool fault_hit(const char *site);

#endif
