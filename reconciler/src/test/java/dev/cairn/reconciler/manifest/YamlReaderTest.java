package dev.cairn.reconciler.manifest;

import dev.cairn.reconciler.diag.InvalidInputException;
import dev.cairn.reconciler.diag.Location;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class YamlReaderTest {
    private static final Path FILE = Path.of("/repo/infrastructures/dev.yaml");
    private static final String TEXT = """
            apiVersion: cairn.dev/v1
            metadata:
              name: dev
            spec:
              network:
                cidr: 10.0.0.0/16
                azs: [eu-west-1a, eu-west-1b]
              modules:
                - name: app
                  dependsOn:
                    - network
            """;

    private final YamlReader reader = new YamlReader();

    private static Location at(int line, int column) {
        return new Location(FILE.toString(), line, column);
    }

    @Test
    void readsTheTreeOfTheDocument() {
        var doc = reader.read(FILE, TEXT);

        assertThat(doc.root().at("/metadata/name").asText()).isEqualTo("dev");
        assertThat(doc.root().at("/spec/network/azs/1").asText()).isEqualTo("eu-west-1b");
        assertThat(doc.root().at("/spec/modules/0/dependsOn/0").asText()).isEqualTo("network");
    }

    @Test
    void keyLocationsAreOneBasedLineAndColumnOfTheKey() {
        var sm = reader.read(FILE, TEXT).sourceMap();

        assertThat(sm.key("/apiVersion")).isEqualTo(at(1, 1));
        assertThat(sm.key("/metadata/name")).isEqualTo(at(3, 3));
        assertThat(sm.key("/spec/network/cidr")).isEqualTo(at(6, 5));
        assertThat(sm.key("/spec/modules/0/dependsOn")).isEqualTo(at(10, 7));
    }

    @Test
    void valueLocationsPointAtTheValueNotTheKey() {
        var sm = reader.read(FILE, TEXT).sourceMap();

        assertThat(sm.value("/apiVersion")).isEqualTo(at(1, 13));
        assertThat(sm.value("/metadata/name")).isEqualTo(at(3, 9));
        assertThat(sm.value("/spec/network/cidr")).isEqualTo(at(6, 11));
    }

    @Test
    void flowSequenceItemsAndBlockSequenceItemsHaveTheirOwnLocations() {
        var sm = reader.read(FILE, TEXT).sourceMap();

        assertThat(sm.value("/spec/network/azs/0")).isEqualTo(at(7, 11));
        assertThat(sm.value("/spec/network/azs/1")).isEqualTo(at(7, 23));
        assertThat(sm.value("/spec/modules/0/name")).isEqualTo(at(9, 13));
        assertThat(sm.value("/spec/modules/0/dependsOn/0")).isEqualTo(at(11, 11));
    }

    @Test
    void valueOfAMissingPointerFallsBackToItsNearestAncestor() {
        var sm = reader.read(FILE, TEXT).sourceMap();

        assertThat(sm.value("/spec/network/natGateway")).isEqualTo(sm.value("/spec/network"));
        assertThat(sm.value("/spec/network/natGateway/deeper")).isEqualTo(sm.value("/spec/network"));
        assertThat(sm.value("/spec/network")).isEqualTo(at(6, 5));
    }

    @Test
    void valueOfAPointerWithNoKnownAncestorIsTheStartOfTheFile() {
        var sm = new SourceMap(FILE);

        assertThat(sm.value("/spec/anything")).isEqualTo(at(1, 1));
    }

    @Test
    void keyOfAPointerWithoutAKeyFallsBackToTheValueLocation() {
        var sm = reader.read(FILE, TEXT).sourceMap();

        // list items have no key: the key lookup answers with the item's value location
        assertThat(sm.key("/spec/network/azs/1")).isEqualTo(at(7, 23));
        // an unknown key answers with the location of the nearest ancestor value
        assertThat(sm.key("/metadata/nope")).isEqualTo(sm.value("/metadata"));
    }

    @Test
    void duplicateKeyInTheSameMappingIsReportedAtTheSecondKeyWithTheFirstLine() {
        var text = """
                apiVersion: cairn.dev/v1
                metadata:
                  name: dev
                  description: x
                  name: prod
                """;

        var e = catchThrowableOfType(InvalidInputException.class, () -> reader.read(FILE, text));

        assertThat(e.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.rule()).isEqualTo("duplicate-key");
            assertThat(d.location()).isEqualTo(at(5, 3));
            assertThat(d.message()).contains("`name`").contains("first at line 3");
            assertThat(d.hint()).isNotBlank();
        });
    }

    @Test
    void sameKeyInDifferentMappingsIsNotADuplicate() {
        var text = """
                metadata:
                  name: dev
                spec:
                  modules:
                    - name: a
                    - name: b
                """;

        var doc = reader.read(FILE, text);

        assertThat(doc.root().at("/spec/modules/1/name").asText()).isEqualTo("b");
    }

    @Test
    void scalarTypesAreKept() {
        var text = """
                count: 3
                big: 12345678901
                ratio: 1.5
                flag: true
                nothing: null
                quoted: "1.31"
                """;

        var root = reader.read(FILE, text).root();

        assertThat(root.get("count").isInt()).isTrue();
        assertThat(root.get("big").isLong()).isTrue();
        assertThat(root.get("ratio").isNumber()).isTrue();
        assertThat(root.get("flag").isBoolean()).isTrue();
        assertThat(root.get("nothing").isNull()).isTrue();
        assertThat(root.get("quoted").isTextual()).isTrue();
    }

    @Test
    void pointerEscapesSlashAndTildeInKeys() {
        var text = """
                tags:
                  "a/b": x
                  "c~d": y
                """;

        var sm = reader.read(FILE, text).sourceMap();

        assertThat(SourceMap.child("/tags", "a/b")).isEqualTo("/tags/a~1b");
        assertThat(sm.value("/tags/a~1b")).isEqualTo(at(2, 10));
        assertThat(sm.value("/tags/c~0d")).isEqualTo(at(3, 10));
    }

    @Test
    void emptyFileIsReportedAsYamlEmpty() {
        var e = catchThrowableOfType(InvalidInputException.class, () -> reader.read(FILE, "# only a comment\n"));

        assertThat(e.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.rule()).isEqualTo("yaml-empty");
            assertThat(d.location()).isEqualTo(at(1, 1));
        });
    }
}
