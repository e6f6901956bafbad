// The system zlib (zlib1g-dev on Debian), for gzip request bodies.
#include <zlib.h>
