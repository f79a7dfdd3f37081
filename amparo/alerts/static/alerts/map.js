/* The public map: verified incidents as ~1 km squares, drawn with Leaflet from our own origin.
 *
 * The page lists the same incidents without JavaScript; this only draws them. No tiles are
 * loaded unless the network configured a tile server (data-tiles): then the background is
 * plain and the region's town names say where things are. The data is polled every minute,
 * so an incident leaves the map (and the list under it) soon after it closes.
 */
(function () {
  "use strict";
  var POLL_MS = 60000;
  var HALF_CELL = 0.005; // coarse cells are 0.01 degree, centred on the stored value

  function start() {
    var element = document.getElementById("incident-map");
    if (!element || typeof L === "undefined" || typeof window.fetch === "undefined") {
      return;
    }
    element.hidden = false;
    var map = L.map(element, { maxZoom: 15, minZoom: 7, attributionControl: false });
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { maxZoom: 15 }).addTo(map);
      if (element.dataset.attribution) {
        L.control.attribution({ prefix: false }).addAttribution(element.dataset.attribution).addTo(map);
      }
    }
    var towns = L.layerGroup().addTo(map);
    var pins = L.layerGroup().addTo(map);
    var fitted = false;

    function label(text) {
      var span = document.createElement("span");
      span.textContent = text;
      return span;
    }

    function relist(data) {
      var list = document.getElementById("pin-list");
      var none = document.getElementById("no-pins");
      if (!list || !none) {
        return;
      }
      var items = data.pins.map(function (pin) {
        var item = document.createElement("li");
        var town = document.createElement("strong");
        item.className = "pin-item";
        town.textContent = pin.town;
        item.appendChild(town);
        item.appendChild(document.createTextNode(" \u00b7 " + pin.where));
        return item;
      });
      while (list.firstChild) {
        list.removeChild(list.firstChild); // replaceChildren is missing on older phones
      }
      items.forEach(function (item) {
        list.appendChild(item);
      });
      list.hidden = items.length === 0;
      none.hidden = items.length !== 0;
    }

    function draw(data) {
      pins.clearLayers();
      var bounds = [];
      towns.clearLayers();
      data.towns.forEach(function (town) {
        if (!element.dataset.tiles) {
          L.marker([town.lat, town.lon], {
            icon: L.divIcon({ className: "map-town", html: label(town.name), iconSize: null }),
            interactive: false,
            keyboard: false
          }).addTo(towns);
        }
        bounds.push([town.lat, town.lon]);
      });
      data.pins.forEach(function (pin) {
        var text = pin.town + " \u00b7 " + pin.where;
        L.rectangle(
          [[pin.lat - HALF_CELL, pin.lon - HALF_CELL], [pin.lat + HALF_CELL, pin.lon + HALF_CELL]],
          { className: "map-cell", color: "#7a0000", weight: 2, fillOpacity: 0.25 }
        ).bindTooltip(label(text)).addTo(pins);
        L.circleMarker([pin.lat, pin.lon], {
          className: "map-pin", radius: 7, color: "#7a0000", fillColor: "#b00020", fillOpacity: 0.9
        }).bindTooltip(label(text)).addTo(pins);
        bounds.push([pin.lat, pin.lon]);
      });
      element.dataset.pins = String(data.pins.length);
      if (!fitted) {
        if (bounds.length) {
          map.fitBounds(bounds, { padding: [20, 20], maxZoom: 12 });
        } else {
          map.setView([41.6, -72.7], 8);
        }
        fitted = true;
      }
    }

    function load() {
      fetch(element.dataset.source, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("map data: " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          draw(data);
          relist(data);
        })
        .catch(function () {
          /* The list below the map still says everything; try again at the next poll. */
        });
    }

    load();
    window.setInterval(load, POLL_MS);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
