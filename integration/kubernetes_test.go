package integration

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/pinpointgw/gateway/internal/testenv"
)

// deploy/kubernetes.yaml is checked here by reading it: no Kubernetes
// validator (kubeconform, kubeval) is installable offline with its schemas,
// so the test checks the structure the deployment depends on, and that the
// manifest agrees with the image (Dockerfile) and its config (deploy/Caddyfile).

// k8sObject is the part of a Kubernetes object these checks read.
type k8sObject struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Data map[string]string `yaml:"data"`
	Spec struct {
		Replicas *int `yaml:"replicas"`
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template struct {
			Metadata struct {
				Labels map[string]string `yaml:"labels"`
			} `yaml:"metadata"`
			Spec k8sPodSpec `yaml:"spec"`
		} `yaml:"template"`
		// Service
		Ports []struct {
			Name       string `yaml:"name"`
			Port       int    `yaml:"port"`
			TargetPort any    `yaml:"targetPort"`
		} `yaml:"ports"`
		// Service and NetworkPolicy
		ServiceSelector map[string]string `yaml:"-"`
		PodSelector     struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"podSelector"`
		Ingress []struct {
			From []struct {
				PodSelector struct {
					MatchLabels map[string]string `yaml:"matchLabels"`
				} `yaml:"podSelector"`
			} `yaml:"from"`
		} `yaml:"ingress"`
		MinAvailable any `yaml:"minAvailable"`
	} `yaml:"spec"`
	raw map[string]any
}

type k8sPodSpec struct {
	ServiceAccountName string `yaml:"serviceAccountName"`
	SecurityContext    struct {
		RunAsNonRoot *bool `yaml:"runAsNonRoot"`
		RunAsUser    *int  `yaml:"runAsUser"`
	} `yaml:"securityContext"`
	Containers []k8sContainer `yaml:"containers"`
	Volumes    []struct {
		Name      string `yaml:"name"`
		ConfigMap *struct {
			Name string `yaml:"name"`
		} `yaml:"configMap"`
		Secret *struct {
			SecretName string `yaml:"secretName"`
			Items      []struct {
				Key  string `yaml:"key"`
				Path string `yaml:"path"`
			} `yaml:"items"`
		} `yaml:"secret"`
		EmptyDir any `yaml:"emptyDir"`
	} `yaml:"volumes"`
}

type k8sContainer struct {
	Name  string `yaml:"name"`
	Image string `yaml:"image"`
	Args  []string
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	Env []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			SecretKeyRef *struct {
				Name string `yaml:"name"`
				Key  string `yaml:"key"`
			} `yaml:"secretKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	ReadinessProbe *k8sProbe `yaml:"readinessProbe"`
	LivenessProbe  *k8sProbe `yaml:"livenessProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext struct {
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
		ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
		Capabilities             struct {
			Drop []string `yaml:"drop"`
		} `yaml:"capabilities"`
	} `yaml:"securityContext"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
		SubPath   string `yaml:"subPath"`
	} `yaml:"volumeMounts"`
}

type k8sProbe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
	TCPSocket *struct {
		Port any `yaml:"port"`
	} `yaml:"tcpSocket"`
}

// readManifest parses every document of deploy/kubernetes.yaml, by kind and name.
func readManifest(t *testing.T) map[string]*k8sObject {
	t.Helper()
	b := repoFile(t, "deploy", "kubernetes.yaml")
	objs := map[string]*k8sObject{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(false)
	for i := 0; ; i++ {
		var node yaml.Node
		if err := dec.Decode(&node); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("deploy/kubernetes.yaml document %d: %v", i+1, err)
		}
		o := &k8sObject{}
		if err := node.Decode(o); err != nil {
			t.Fatalf("deploy/kubernetes.yaml document %d: %v", i+1, err)
		}
		if err := node.Decode(&o.raw); err != nil {
			t.Fatal(err)
		}
		spec, _ := o.raw["spec"].(map[string]any)
		if sel, ok := spec["selector"].(map[string]any); ok && o.Kind == "Service" {
			o.Spec.ServiceSelector = map[string]string{}
			for k, v := range sel {
				o.Spec.ServiceSelector[k] = fmt.Sprint(v)
			}
		}
		if o.APIVersion == "" || o.Kind == "" || o.Metadata.Name == "" {
			t.Fatalf("document %d lacks apiVersion, kind or metadata.name", i+1)
		}
		key := o.Kind + "/" + o.Metadata.Name
		if objs[key] != nil {
			t.Fatalf("%s defined twice", key)
		}
		objs[key] = o
	}
	return objs
}

func mustObject(t *testing.T, objs map[string]*k8sObject, key string) *k8sObject {
	t.Helper()
	o := objs[key]
	if o == nil {
		names := make([]string, 0, len(objs))
		for k := range objs {
			names = append(names, k)
		}
		t.Fatalf("deploy/kubernetes.yaml has no %s (has %q)", key, names)
	}
	return o
}

// envValue returns a container's literal env value.
func (c k8sContainer) envValue(name string) (string, bool) {
	for _, e := range c.Env {
		if e.Name == name && e.ValueFrom == nil {
			return e.Value, true
		}
	}
	return "", false
}

// port resolves a probe's or Service's port (a number or a port name) to a container port.
func (c k8sContainer) port(p any) int {
	switch v := p.(type) {
	case int:
		return v
	case string:
		for _, cp := range c.Ports {
			if cp.Name == v {
				return cp.ContainerPort
			}
		}
	}
	return 0
}

// k8sCaddyfileLine is the only line in which the manifest's Caddyfile
// differs from deploy/Caddyfile: its replicas share state in Redis.
const (
	imageSharedState = "\t\tshared_state memory"
	k8sSharedState   = "\t\tshared_state redis {env.GATEWAY_REDIS_URL}"
)

// TestDeployKubernetesManifest checks deploy/kubernetes.yaml: three non-root
// replicas on a read-only root, probed on the ops listener's health path,
// the session key from a Secret, the store and Caddyfile mounted where the
// image and the Caddyfile expect them, Redis for shared_state, and a
// Service that publishes the API only.
func TestDeployKubernetesManifest(t *testing.T) {
	objs := readManifest(t)
	dep := mustObject(t, objs, "Deployment/pinpoint-gateway")
	spec := dep.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		t.Fatalf("the gateway's pod has %d containers, want 1", len(spec.Containers))
	}
	c := spec.Containers[0]
	cm := mustObject(t, objs, "ConfigMap/pinpoint-gateway-config")
	caddyfile := cm.Data["Caddyfile"]
	_, ep := finalImage(t)

	t.Run("three replicas", func(t *testing.T) {
		if dep.Spec.Replicas == nil || *dep.Spec.Replicas != 3 {
			t.Errorf("replicas %v, want 3", dep.Spec.Replicas)
		}
		for k, v := range dep.Spec.Selector.MatchLabels {
			if dep.Spec.Template.Metadata.Labels[k] != v {
				t.Errorf("selector %s=%s does not match the pod template's labels", k, v)
			}
		}
		if pdb := objs["PodDisruptionBudget/pinpoint-gateway"]; pdb == nil || fmt.Sprint(pdb.Spec.MinAvailable) != "2" {
			t.Errorf("want a PodDisruptionBudget keeping 2 of the 3 replicas")
		}
	})
	t.Run("the ConfigMap's Caddyfile is deploy/Caddyfile with shared state in Redis", func(t *testing.T) {
		want := deployCaddyfile(t)
		if strings.Count(want, imageSharedState+"\n") != 1 {
			t.Fatalf("deploy/Caddyfile lacks the line %q", imageSharedState)
		}
		want = strings.Replace(want, imageSharedState+"\n", k8sSharedState+"\n", 1)
		if caddyfile != want {
			t.Errorf("the ConfigMap's Caddyfile differs from deploy/Caddyfile in more than %q; regenerate it", k8sSharedState)
		}
	})
	t.Run("probes on the ops listener's health path", func(t *testing.T) {
		ops, ok := c.envValue("GATEWAY_OPS_PORT")
		if !ok {
			ops = deployDefault(t, "GATEWAY_OPS_PORT")
		}
		if !strings.Contains(caddyfile, "http://:{$GATEWAY_OPS_PORT:") || !strings.Contains(caddyfile, "handle /healthz {") {
			t.Fatal("the Caddyfile's ops site (http://:{$GATEWAY_OPS_PORT:…} with handle /healthz) is not where this test looks")
		}
		for name, p := range map[string]*k8sProbe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
			if p == nil || p.HTTPGet == nil {
				t.Errorf("%s probe: want httpGet", name)
				continue
			}
			if p.HTTPGet.Path != "/healthz" {
				t.Errorf("%s probe path %q, want /healthz", name, p.HTTPGet.Path)
			}
			if got := c.port(p.HTTPGet.Port); strconv.Itoa(got) != ops {
				t.Errorf("%s probe port %v (%d), want the ops port %s", name, p.HTTPGet.Port, got, ops)
			}
		}
	})
	t.Run("the Service publishes the API, not the ops port", func(t *testing.T) {
		svc := mustObject(t, objs, "Service/pinpoint-gateway")
		api, ok := c.envValue("GATEWAY_PORT")
		if !ok {
			api = deployDefault(t, "GATEWAY_PORT")
		}
		if len(svc.Spec.Ports) != 1 || strconv.Itoa(c.port(svc.Spec.Ports[0].TargetPort)) != api {
			t.Errorf("Service ports %+v, want only the API port %s", svc.Spec.Ports, api)
		}
		for k, v := range svc.Spec.ServiceSelector {
			if dep.Spec.Template.Metadata.Labels[k] != v {
				t.Errorf("Service selector %s=%s does not select the gateway's pods", k, v)
			}
		}
	})
	t.Run("every variable the Caddyfile needs is set", func(t *testing.T) {
		required := map[string]bool{}
		for _, m := range regexp.MustCompile(`\{env\.([A-Z0-9_]+)\}|\{\$([A-Z0-9_]+)\}`).FindAllStringSubmatch(stripComments(caddyfile), -1) {
			required[m[1]+m[2]] = true
		}
		if len(required) < 4 {
			t.Fatalf("found only %v in the Caddyfile", required)
		}
		set := map[string]bool{}
		for _, e := range c.Env {
			set[e.Name] = true
		}
		for name := range required {
			if !set[name] {
				t.Errorf("the Caddyfile needs %s, which the Deployment does not set", name)
			}
		}
	})
	t.Run("the session key and the store from the Secret", func(t *testing.T) {
		var ref string
		for _, e := range c.Env {
			if e.Name == "GATEWAY_SESSION_KEY" {
				if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
					t.Fatal("GATEWAY_SESSION_KEY is not from a secretKeyRef")
				}
				ref = e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
			}
		}
		if ref != "pinpoint-gateway/session-key" {
			t.Errorf("GATEWAY_SESSION_KEY from %q, want pinpoint-gateway/session-key (the kubectl create secret of the manifest's header)", ref)
		}
		store, _ := c.envValue("GATEWAY_STORE")
		mounted := false
		for _, m := range c.VolumeMounts {
			for _, v := range spec.Volumes {
				if v.Name != m.Name || v.Secret == nil || v.Secret.SecretName != "pinpoint-gateway" {
					continue
				}
				if m.SubPath != "" {
					t.Errorf("the store Secret is mounted with subPath: its updates would never reach the pod")
				}
				for _, it := range v.Secret.Items {
					if it.Key == "store.json" && path.Join(m.MountPath, it.Path) == store {
						mounted = true
					}
				}
			}
		}
		if !mounted {
			t.Errorf("GATEWAY_STORE=%q is not the store.json of the Secret pinpoint-gateway as mounted", store)
		}
		header := readManifestHeader(t)
		for _, w := range []string{"--from-literal=session-key=", "--from-file=store.json="} {
			if !strings.Contains(header, w) {
				t.Errorf("the manifest's header does not show how to create the Secret (%s)", w)
			}
		}
	})
	t.Run("the Caddyfile mounted where the image reads it", func(t *testing.T) {
		cfg := configOf(t, ep.Argv)
		found := false
		for _, m := range c.VolumeMounts {
			for _, v := range spec.Volumes {
				if v.Name == m.Name && v.ConfigMap != nil && v.ConfigMap.Name == cm.Metadata.Name && m.MountPath == cfg && m.SubPath == "Caddyfile" {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("the ConfigMap's Caddyfile is not mounted at the image's --config %s", cfg)
		}
		if len(c.Args) != 0 {
			t.Errorf("args %q: the image's entrypoint runs the mounted config", c.Args)
		}
	})
	t.Run("non-root, read-only root, no privileges, resources", func(t *testing.T) {
		final, _ := finalImage(t)
		uid, _, _ := strings.Cut(final.all("USER")[0], ":")
		sc := spec.SecurityContext
		if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || strconv.Itoa(*sc.RunAsUser) != uid {
			t.Errorf("pod securityContext runAsNonRoot %v runAsUser %v, want true and the image's %s", sc.RunAsNonRoot, sc.RunAsUser, uid)
		}
		csc := c.SecurityContext
		if csc.ReadOnlyRootFilesystem == nil || !*csc.ReadOnlyRootFilesystem {
			t.Error("readOnlyRootFilesystem is not true")
		}
		if csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation {
			t.Error("allowPrivilegeEscalation is not false")
		}
		if !contains(csc.Capabilities.Drop, "ALL") {
			t.Error("capabilities do not drop ALL")
		}
		tmp := false
		for _, m := range c.VolumeMounts {
			if m.MountPath == "/tmp" {
				for _, v := range spec.Volumes {
					tmp = tmp || (v.Name == m.Name && v.EmptyDir != nil)
				}
			}
		}
		if !tmp {
			t.Error("no emptyDir at /tmp, where the image keeps Caddy's state (XDG_*_HOME)")
		}
		if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" || c.Resources.Limits["memory"] == "" {
			t.Errorf("resources %+v: want cpu and memory requests and a memory limit", c.Resources)
		}
		if !strings.Contains(c.Image, "pinpoint-gateway:") || strings.HasSuffix(c.Image, ":latest") {
			t.Errorf("image %q: want a pinned tag of the gateway's image", c.Image)
		}
	})
	t.Run("Redis for shared state", func(t *testing.T) {
		if !strings.Contains(caddyfile, k8sSharedState) {
			t.Fatalf("the Caddyfile lacks %q", k8sSharedState)
		}
		raw, _ := c.envValue("GATEWAY_REDIS_URL")
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "redis" {
			t.Fatalf("GATEWAY_REDIS_URL %q: want redis://SERVICE:PORT/DB", raw)
		}
		svc := mustObject(t, objs, "Service/"+u.Hostname())
		redis := mustObject(t, objs, "Deployment/"+u.Hostname())
		if len(svc.Spec.Ports) != 1 || strconv.Itoa(svc.Spec.Ports[0].Port) != u.Port() {
			t.Errorf("Service %s ports %+v, want %s", u.Hostname(), svc.Spec.Ports, u.Port())
		}
		rc := redis.Spec.Template.Spec.Containers[0]
		if got := rc.port(svc.Spec.Ports[0].TargetPort); got != 6379 {
			t.Errorf("Service %s targets container port %d, want redis's 6379", u.Hostname(), got)
		}
		for k, v := range svc.Spec.ServiceSelector {
			if redis.Spec.Template.Metadata.Labels[k] != v {
				t.Errorf("Service %s selector %s=%s does not select the Redis pod", u.Hostname(), k, v)
			}
		}
		if rsc := redis.Spec.Template.Spec.SecurityContext; rsc.RunAsNonRoot == nil || !*rsc.RunAsNonRoot {
			t.Error("Redis does not run as non-root")
		}
		np := mustObject(t, objs, "NetworkPolicy/"+u.Hostname())
		if len(np.Spec.Ingress) != 1 || len(np.Spec.Ingress[0].From) != 1 ||
			np.Spec.Ingress[0].From[0].PodSelector.MatchLabels["app.kubernetes.io/name"] != dep.Spec.Template.Metadata.Labels["app.kubernetes.io/name"] {
			t.Errorf("NetworkPolicy %s: want ingress from the gateway's pods only", u.Hostname())
		}
	})
}

// stripComments drops the comment lines of a Caddyfile.
func stripComments(caddyfile string) string {
	var b strings.Builder
	for _, line := range strings.Split(caddyfile, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// readManifestHeader returns the leading comment of deploy/kubernetes.yaml.
func readManifestHeader(t *testing.T) string {
	t.Helper()
	b := repoFile(t, "deploy", "kubernetes.yaml")
	head, _, _ := strings.Cut(string(b), "\napiVersion:")
	return head
}

// TestDeployKubernetesCaddyfileRuns runs the manifest's Caddyfile with the
// Deployment's environment (ports and paths made local) against a real
// redis-server: the replicas' config loads, is healthy and serves.
func TestDeployKubernetesCaddyfileRuns(t *testing.T) {
	requireBinary(t)
	objs := readManifest(t)
	caddyfile := mustObject(t, objs, "ConfigMap/pinpoint-gateway-config").Data["Caddyfile"]
	path := filepath.Join(t.TempDir(), "Caddyfile")
	if err := os.WriteFile(path, []byte(caddyfile), 0o600); err != nil {
		t.Fatal(err)
	}
	redis := testenv.StartRedis(t)
	vars, _, ops, _ := deployVars(t, storeJSON(t, testStore()))
	vars["GATEWAY_REDIS_URL"] = redis.URL()
	d := startDeployed(t, path, vars)
	if body := d.waitHealthy(t, fmt.Sprintf("http://127.0.0.1:%d/healthz", ops), 60*time.Second); body != "ready" {
		t.Errorf("/healthz answered %q, want ready", body)
	}
}
