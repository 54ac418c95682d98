/* Needs a library of its own (the clean fixture): refused. */
int fixture_clean(int n);

int fixture_needs(void)
{
	return fixture_clean(1);
}
