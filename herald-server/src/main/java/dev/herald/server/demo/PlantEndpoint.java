package dev.herald.server.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.http.Endpoint;
import dev.herald.server.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * {@code GET /api/v1/demo/plant}: the plant's meters, for a dashboard to lay out before their readings arrive:
 * {@code {"meters":[{"id":"m-1","name":"Boiler pressure","unit":"bar","threshold":8.4,"min":0,"max":12},...],
 * "readings":"meters/+/reading","alarms":"alarms/+"}}.
 */
public final class PlantEndpoint implements Endpoint {
    private final String body;

    public PlantEndpoint(Plant plant) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode meters = root.putArray("meters");
        for (Plant.Meter m : plant.meters()) {
            meters.addObject().put("id", m.id()).put("name", m.name()).put("unit", m.unit())
                    .put("threshold", m.threshold()).put("min", m.min()).put("max", m.max());
        }
        root.put("readings", "meters/+/reading");
        root.put("alarms", "alarms/+");
        this.body = root.toString();
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        Responses.send(ctx, request, Responses.of(HttpResponseStatus.OK, Responses.JSON, body));
    }
}
