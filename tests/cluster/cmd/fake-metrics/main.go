// Command fake-metrics is the test stand-in for metrics-server: a tiny HTTPS server on 127.0.0.1
// that serves the metrics.k8s.io/v1beta1 discovery documents and NodeMetrics/PodMetrics lists
// from a JSON file the test controls. It is registered through a real APIService, so requests
// go through kube-apiserver's aggregation layer exactly as they would to metrics-server.
//
// Usage: fake-metrics --data FILE
//
// It prints the port it listens on, then serves until its stdin closes (the test process that
// started it exited). FILE is re-read on every request:
//
//	{"fail": 0, "nodes": [NodeMetrics...], "pods": [PodMetrics...]}
//
// With "fail" set to an HTTP status (e.g. 503), every request, discovery included, fails with
// that status, which makes the aggregator mark the APIService Available=False.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

type object = map[string]any

type data struct {
	Fail  int      `json:"fail"`
	Nodes []object `json:"nodes"`
	Pods  []object `json:"pods"`
}

const groupVersion = "metrics.k8s.io/v1beta1"

func main() {
	file := flag.String("data", "", "JSON file with the metrics to serve")
	flag.Parse()
	if *file == "" {
		log.Fatal("--data is required")
	}
	cert, err := selfSigned()
	if err != nil {
		log.Fatal(err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(listener.Addr().(*net.TCPAddr).Port)
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	server := &http.Server{
		Handler:   handler(*file),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
	}
	log.Fatal(server.ServeTLS(listener, "", ""))
}

func handler(file string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var d data
		raw, err := os.ReadFile(file)
		if err == nil {
			err = json.Unmarshal(raw, &d)
		}
		if err != nil {
			status(w, http.StatusInternalServerError, "reading test data: "+err.Error())
			return
		}
		if d.Fail != 0 {
			status(w, d.Fail, "fake metrics server told to fail")
			return
		}
		path := strings.Trim(r.URL.Path, "/")
		parts := strings.Split(path, "/")
		selector := r.URL.Query().Get("labelSelector")
		switch {
		case path == "apis":
			write(w, object{"kind": "APIGroupList", "apiVersion": "v1", "groups": []object{group()}})
		case path == "apis/metrics.k8s.io":
			write(w, group())
		case path == "apis/metrics.k8s.io/v1beta1":
			write(w, object{"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": groupVersion,
				"resources": []object{
					{"name": "nodes", "singularName": "", "namespaced": false, "kind": "NodeMetrics", "verbs": []string{"get", "list"}},
					{"name": "pods", "singularName": "", "namespaced": true, "kind": "PodMetrics", "verbs": []string{"get", "list"}},
				}})
		case len(parts) >= 4 && parts[3] == "nodes" && len(parts) <= 5:
			items := filter(d.Nodes, "", selector)
			if len(parts) == 5 {
				one(w, items, parts[4], "nodes")
				return
			}
			list(w, "NodeMetricsList", items)
		case len(parts) == 4 && parts[3] == "pods":
			list(w, "PodMetricsList", filter(d.Pods, "", selector))
		case len(parts) >= 6 && parts[3] == "namespaces" && parts[5] == "pods" && len(parts) <= 7:
			items := filter(d.Pods, parts[4], selector)
			if len(parts) == 7 {
				one(w, items, parts[6], "pods")
				return
			}
			list(w, "PodMetricsList", items)
		default:
			status(w, http.StatusNotFound, "the server could not find the requested resource")
		}
	})
}

func group() object {
	v := object{"groupVersion": groupVersion, "version": "v1beta1"}
	return object{"kind": "APIGroup", "apiVersion": "v1", "name": "metrics.k8s.io",
		"versions": []object{v}, "preferredVersion": v}
}

func meta(o object) object {
	m, _ := o["metadata"].(map[string]any)
	return m
}

// filter keeps the items in namespace ns (all when empty) matching an equality-based label
// selector ("a=b,c!=d").
func filter(items []object, ns, selector string) []object {
	out := []object{}
	for _, item := range items {
		m := meta(item)
		if ns != "" && m["namespace"] != ns {
			continue
		}
		labels, _ := m["labels"].(map[string]any)
		if matches(labels, selector) {
			out = append(out, item)
		}
	}
	return out
}

func matches(labels map[string]any, selector string) bool {
	for _, term := range strings.Split(selector, ",") {
		term = strings.TrimSpace(term)
		if term == "" {
			continue
		}
		if k, v, ok := strings.Cut(term, "!="); ok {
			if labels[strings.TrimSpace(k)] == strings.TrimSpace(v) {
				return false
			}
			continue
		}
		k, v, ok := strings.Cut(strings.Replace(term, "==", "=", 1), "=")
		if !ok {
			if _, has := labels[term]; !has {
				return false
			}
			continue
		}
		if labels[strings.TrimSpace(k)] != strings.TrimSpace(v) {
			return false
		}
	}
	return true
}

func stamp(item object, kind string) object {
	out := object{}
	for k, v := range item {
		out[k] = v
	}
	out["kind"] = kind
	out["apiVersion"] = groupVersion
	if _, ok := out["timestamp"]; !ok {
		out["timestamp"] = time.Now().UTC().Format(time.RFC3339)
	}
	if _, ok := out["window"]; !ok {
		out["window"] = "30s"
	}
	return out
}

func list(w http.ResponseWriter, kind string, items []object) {
	single := strings.TrimSuffix(kind, "List")
	stamped := make([]object, 0, len(items))
	for _, item := range items {
		stamped = append(stamped, stamp(item, single))
	}
	write(w, object{"kind": kind, "apiVersion": groupVersion, "metadata": object{}, "items": stamped})
}

func one(w http.ResponseWriter, items []object, name, resource string) {
	for _, item := range items {
		if meta(item)["name"] == name {
			kind := "NodeMetrics"
			if resource == "pods" {
				kind = "PodMetrics"
			}
			write(w, stamp(item, kind))
			return
		}
	}
	status(w, http.StatusNotFound, fmt.Sprintf("%s.metrics.k8s.io %q not found", resource, name))
}

func write(w http.ResponseWriter, body any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func status(w http.ResponseWriter, code int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(object{"kind": "Status", "apiVersion": "v1", "status": "Failure",
		"message": message, "reason": http.StatusText(code), "code": code})
}

// selfSigned makes a throwaway serving certificate for 127.0.0.1/localhost; the APIService
// uses insecureSkipTLSVerify, as a test stand-in may.
func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "fake-metrics"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
