package dev.distillery.serve;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The parts of a Label Studio labeling config a classifier needs: the {@code <Choices>} control (its {@code name} and
 * {@code toName}), the object it labels and the task field that object shows ({@code value="$text"}), and the choices.
 * Parsed with DTDs and external entities refused: the XML comes from the network.
 */
record LabelConfig(String fromName, String toName, String dataKey, List<String> choices) {

    static LabelConfig parse(String xml) {
        if (xml == null || xml.isBlank()) {
            throw new ModelServer.ApiError(400, "no label config: Label Studio sends it as \"label_config\" (predict) or \"schema\" (setup)");
        }
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new ModelServer.ApiError(400, "the label config is not well-formed XML: " + e.getMessage());
        }
        NodeList controls = doc.getElementsByTagName("Choices");
        if (controls.getLength() != 1) {
            throw new ModelServer.ApiError(400, "the label config has " + controls.getLength() + " <Choices> controls; a "
                    + "classifier answers exactly one");
        }
        Element choicesTag = (Element) controls.item(0);
        String fromName = choicesTag.getAttribute("name");
        String toName = choicesTag.getAttribute("toName");
        if (fromName.isEmpty() || toName.isEmpty()) {
            throw new ModelServer.ApiError(400, "the <Choices> control needs name and toName attributes");
        }
        String dataKey = null;
        NodeList all = doc.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (toName.equals(e.getAttribute("name")) && e.getAttribute("value").startsWith("$")) {
                dataKey = e.getAttribute("value").substring(1);
            }
        }
        if (dataKey == null) {
            throw new ModelServer.ApiError(400, "no object named '" + toName + "' with a value=\"$field\" in the label config");
        }
        List<String> choices = new ArrayList<>();
        NodeList options = choicesTag.getElementsByTagName("Choice");
        for (int i = 0; i < options.getLength(); i++) {
            Element c = (Element) options.item(i);
            choices.add(c.hasAttribute("value") ? c.getAttribute("value") : c.getAttribute("alias"));
        }
        return new LabelConfig(fromName, toName, dataKey, List.copyOf(choices));
    }

    /** Fails with the difference when the model can answer labels the config does not offer. */
    void checkCovers(List<String> modelLabels) {
        List<String> missing = modelLabels.stream().filter(l -> !choices.contains(l)).toList();
        if (!missing.isEmpty()) {
            throw new ModelServer.ApiError(400, "the label config's choices " + choices + " lack the model's labels " + missing);
        }
    }
}
