package dev.distillery.cli;

import dev.distillery.data.OnError;
import picocli.CommandLine.Option;

/** The bad-record policy every command that reads data accepts. */
final class OnErrorOption {
    @Option(names = "--on-error", paramLabel = "POLICY", defaultValue = "fail",
            description = "Bad records: fail (stop with an error) or skip (skip and report the count). Default: ${DEFAULT-VALUE}.")
    OnError policy;
}
