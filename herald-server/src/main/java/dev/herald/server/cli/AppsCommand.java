package dev.herald.server.cli;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code herald apps}: manages app credentials. */
@Command(name = "apps", mixinStandardHelpOptions = true, description = "Manage apps (AppKey and AppSecret).",
        subcommands = AppsCommand.Create.class)
final class AppsCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** {@code herald apps create NAME}: a new key and a strong secret, as the config block to add. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Generates an AppKey and a strong AppSecret and prints the block to add under "
                + "access.apps in the config file. Nothing is stored: keep the secret out of version control."})
    static final class Create implements Callable<Integer> {
        private static final SecureRandom RANDOM = new SecureRandom();
        private static final char[] KEY_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();

        @Parameters(index = "0", description = "The app's name, e.g. chat.")
        String name;

        @Option(names = "--publish", description = "A topic pattern the app may publish to (repeatable; "
                + "default NAME/#).")
        List<String> publish;

        @Option(names = "--subscribe", description = "A topic pattern the app may subscribe to (repeatable; "
                + "default NAME/#).")
        List<String> subscribe;

        @Option(names = "--origin", description = "A browser origin its pages are served from (repeatable).")
        List<String> origins;

        @Override
        public Integer call() {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
                System.err.println("herald: name: '" + name + "' (expected: 1 to 64 of A-Z a-z 0-9 _ . -)");
                return 2;
            }
            StringBuilder key = new StringBuilder("HK");
            for (int i = 0; i < 18; i++) {
                key.append(KEY_CHARS[RANDOM.nextInt(KEY_CHARS.length)]);
            }
            byte[] secret = new byte[32];
            RANDOM.nextBytes(secret);
            List<String> pub = publish == null ? List.of(name + "/#") : publish;
            List<String> sub = subscribe == null ? List.of(name + "/#") : subscribe;
            System.out.println("# Add under access.apps in your config. The secret signs requests and tokens:");
            System.out.println("# keep it on servers only, never in a web page or in version control.");
            System.out.println("    - name: " + name);
            System.out.println("      key: " + key);
            System.out.println("      secret: " + Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
            System.out.println("      publish: " + yamlList(pub));
            System.out.println("      subscribe: " + yamlList(sub));
            System.out.println("      origins: " + yamlList(origins == null ? List.of() : origins));
            return 0;
        }

        private static String yamlList(List<String> items) {
            return items.stream().map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                    .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
        }
    }
}
