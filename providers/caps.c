/* What each server kind can change in place (see prov.h). */
#include "providers/prov.h"

#include <string.h>
#include <strings.h>

#include "model/model.h"

bool
prov_vendor_is_samba(const char *vendor)
{
	return vendor != NULL && strstr(vendor, "Samba") != NULL;
}

static bool
differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return false; /* unknown on one side: not compared */
	return strcasecmp(a, b) != 0;
}

const char *
prov_replace_reason(const char *vendor, const struct model_tdo *before,
                    const struct model_tdo *after)
{
	uint32_t changed =
	        (before->attributes ^ after->attributes) & after->attr_mask;

	if (before->type != after->type)
		return "trustType cannot be changed in place";
	if (changed & (TA_FOREST_TRANSITIVE | TA_WITHIN_FOREST))
		return "changing the trust type recreates the trust, with the "
		       "new type's defaults for every unmanaged bit";
	if (differs(before->sid, after->sid))
		return "the partner's SID differs: it is another domain";
	if (differs(before->flat_name, after->flat_name))
		return "flatName cannot be changed in place";
	if (!prov_vendor_is_samba(vendor))
		return NULL;
	if (changed & ~TA_FOREST_TRANSITIVE)
		return "Samba cannot change trustAttributes in place";
	if ((after->direction & ~before->direction) != 0)
		return "Samba cannot add a direction in place (it needs a "
		       "new trust secret)";
	return NULL;
}
