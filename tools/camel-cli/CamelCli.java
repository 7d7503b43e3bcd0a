/** Camel JBang's command line without JBang: the entry point its launcher calls. Run by bin/camel. */
public class CamelCli {
    public static void main(String[] args) {
        org.apache.camel.dsl.jbang.core.commands.CamelJBangMain.run(args);
    }
}
