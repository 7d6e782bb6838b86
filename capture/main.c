/* placeholder: replaced as the program grows */
#include <stdio.h>

int main(void)
{
    puts("asimdns " ASIMDNS_VERSION);
    return 0;
}
