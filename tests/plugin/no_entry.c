/* no_entry.c — test plugin: a shared object without tritbench_plugin_entry. */
int not_a_tritbench_plugin(void);
int not_a_tritbench_plugin(void)
{
    return 42;
}
