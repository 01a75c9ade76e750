package dev.distillery.curate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionWordsTest {
    private static final FunctionWords DEFAULTS = new FunctionWords(LanguageFilter.DEFAULT_CANDIDATES);

    @Test
    void aTextWrittenInOneLanguagesFunctionWordsIsAnsweredHere() {
        assertThat(DEFAULTS.clearLanguage("The committee will publish its annual report on the state of the railways next week, "
                + "with the passenger figures of every line and the plans for the winter timetable.")).isEqualTo("en");
        assertThat(DEFAULTS.clearLanguage("Der Ausschuss veröffentlicht nächste Woche seinen Bericht über den Zustand der Bahn, "
                + "mit den Zahlen aller Linien und den Plänen für die Bahnhöfe, die umgebaut werden sollen.")).isEqualTo("de");
        assertThat(DEFAULTS.clearLanguage("El comité publicará la próxima semana su informe sobre el estado de los ferrocarriles, "
                + "con las cifras de todas las líneas y los planes para las estaciones que se reconstruirán.")).isEqualTo("es");
        // What Lingua's trigram mode called German: a short English mail, mostly names and a list footer.
        assertThat(DEFAULTS.clearLanguage("My Repository...  Just for your information, I have an apt-repository for RH 7.3 at "
                + "http://utelsystems.dyndns.org -- NOS@Utel.no  ______ RPM-List mailing list <RPM-List@freshrpms.net> "
                + "http://lists.freshrpms.net/mailman/listinfo/rpm-list")).isEqualTo("en");
    }

    @Test
    void doubtIsLeftToLingua() {
        assertThat(DEFAULTS.clearLanguage("Meeting notes: budget, travel, Q3 targets.")).as("too few function words").isNull();
        assertThat(DEFAULTS.clearLanguage("このコマンドは the file を開き、 and the output を表示します。 This is what it does with all of "
                + "the files that you give to it.")).as("not Latin script: a page of Japanese quoting English").isNull();
        assertThat(DEFAULTS.clearLanguage("The report is in the box. Der Bericht ist in der Box und die Zahlen sind auch "
                + "für den Ausschuss, the figures are for the committee and the board.")).as("two languages, neither leads 3 to 1")
                .isNull();
    }

    @Test
    void onlyCandidatesAreAnsweredAndAnUnlistedLatinCandidateTurnsItOff() {
        String dutch = "Het bestuur heeft het verslag van dit jaar niet op tijd gepubliceerd, omdat er nog een aantal cijfers "
                + "ontbraken die door het bureau worden nagekeken.";
        assertThat(DEFAULTS.clearLanguage(dutch)).isEqualTo("nl");
        assertThat(new FunctionWords(List.of("en", "de")).clearLanguage(dutch)).as("Dutch is no candidate").isNull();
        FunctionWords withDanish = new FunctionWords(List.of("en", "de", "nl", "da"));
        assertThat(withDanish.enabled()).isFalse();
        assertThat(withDanish.clearLanguage(dutch)).isNull();
        assertThat(new FunctionWords(List.of("en", "ru", "zh")).enabled()).as("scripts the Latin rule sends to Lingua").isTrue();
    }
}
