/* The layering check of CMakeLists.txt: linked with every object of one
 * library and only the libraries below it, this program exists only if the
 * library calls nothing above it. It is never run. */
int main(void)
{
    return 0;
}
