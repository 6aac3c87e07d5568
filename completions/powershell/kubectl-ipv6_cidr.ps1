
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kubectl-ipv6_cidr' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kubectl-ipv6_cidr'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kubectl-ipv6_cidr' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Everything about an address or CIDR: network, first/last, exact count, forms, binary, type')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'The smallest prefix for N addresses, and which networks of that size are valid')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check service, pod and node ranges against Kubernetes'' rules (and a vendor profile)')
            [CompletionResult]::new('split', 'split', [CompletionResultType]::ParameterValue, 'Enumerate the subnets of a network, lazily (any count, constant memory)')
            [CompletionResult]::new('cluster', 'cluster', [CompletionResultType]::ParameterValue, 'Read the cluster''s ranges (ServiceCIDRs, the kubernetes Service, nodes'' podCIDRs) and check them')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Shell completion: print a static script, or install the dynamic completer')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-ipv6_cidr;info' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Don''t print headers in table output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-ipv6_cidr;plan' {
            [CompletionResult]::new('--addresses', '--addresses', [CompletionResultType]::ParameterName, 'Addresses the range must hold (e.g. 8192, 65,536 or 2^13); rounded up to a power of two')
            [CompletionResult]::new('--hosts', '--hosts', [CompletionResultType]::ParameterName, 'Usable host addresses the range must hold (IPv4 loses network+broadcast, IPv6 the network address)')
            [CompletionResult]::new('--family', '--family', [CompletionResultType]::ParameterName, 'Address family of the range')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'What the range is for (decides which Kubernetes and profile rules apply)')
            [CompletionResult]::new('--within', '--within', [CompletionResultType]::ParameterName, 'Suggest networks inside this parent (default: the profile''s block, or --random-ula''s /48)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many candidate networks to list')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Apply a vendor''s constraints: cce (Huawei Cloud CCE / CCE Turbo)')
            [CompletionResult]::new('--kube-version', '--kube-version', [CompletionResultType]::ParameterName, 'Kubernetes version the range is for (decides the service allocator''s limit)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--random', '--random', [CompletionResultType]::ParameterName, 'Pick one candidate at random instead of listing the first ones')
            [CompletionResult]::new('--random-ula', '--random-ula', [CompletionResultType]::ParameterName, 'Generate a random RFC 4193 unique local /48 (fdXX:XXXX:XXXX::/48) and plan inside it')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Don''t print headers in table output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-ipv6_cidr;check' {
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'What the positional ranges are')
            [CompletionResult]::new('--service-cidr', '--service-cidr', [CompletionResultType]::ParameterName, 'Service ranges (kube-apiserver --service-cluster-ip-range), comma-separated or repeated')
            [CompletionResult]::new('--pod-cidr', '--pod-cidr', [CompletionResultType]::ParameterName, 'Pod network ranges (kube-controller-manager --cluster-cidr), comma-separated or repeated')
            [CompletionResult]::new('--node-cidr', '--node-cidr', [CompletionResultType]::ParameterName, 'Node (host/VPC) subnets, comma-separated or repeated')
            [CompletionResult]::new('--node-mask-ipv4', '--node-mask-ipv4', [CompletionResultType]::ParameterName, 'kube-controller-manager --node-cidr-mask-size-ipv4 (default 24)')
            [CompletionResult]::new('--node-mask-ipv6', '--node-mask-ipv6', [CompletionResultType]::ParameterName, 'kube-controller-manager --node-cidr-mask-size-ipv6 (default 64)')
            [CompletionResult]::new('--max-pods', '--max-pods', [CompletionResultType]::ParameterName, 'kubelet --max-pods (default 110)')
            [CompletionResult]::new('--kube-version', '--kube-version', [CompletionResultType]::ParameterName, 'Kubernetes version (decides whether kube-apiserver''s 20-bit service range cap applies)')
            [CompletionResult]::new('--allocator', '--allocator', [CompletionResultType]::ParameterName, 'Service IP allocator in use, when feature gates differ from the version''s defaults')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Apply a vendor''s constraints: cce (Huawei Cloud CCE / CCE Turbo)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Don''t print headers in table output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-ipv6_cidr;split' {
            [CompletionResult]::new('--into', '--into', [CompletionResultType]::ParameterName, 'Prefix length of the subnets (`/115` or `115`)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Split into at least N equal subnets (rounded up to a power of two)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Print at most N subnets (default: all; 1000 when writing to a terminal)')
            [CompletionResult]::new('--offset', '--offset', [CompletionResultType]::ParameterName, 'Skip the first N subnets (computed, not walked: any offset is instant)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Don''t print headers in table output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-ipv6_cidr;cluster' {
            [CompletionResult]::new('--service-cidr', '--service-cidr', [CompletionResultType]::ParameterName, 'Service ranges to assume when the cluster has no ServiceCIDR API (before 1.31/1.33)')
            [CompletionResult]::new('--pod-cidr', '--pod-cidr', [CompletionResultType]::ParameterName, 'Pod network ranges (kube-controller-manager --cluster-cidr), comma-separated or repeated')
            [CompletionResult]::new('--node-cidr', '--node-cidr', [CompletionResultType]::ParameterName, 'Node (host/VPC) subnets, comma-separated or repeated')
            [CompletionResult]::new('--node-mask-ipv4', '--node-mask-ipv4', [CompletionResultType]::ParameterName, 'kube-controller-manager --node-cidr-mask-size-ipv4 (default 24)')
            [CompletionResult]::new('--node-mask-ipv6', '--node-mask-ipv6', [CompletionResultType]::ParameterName, 'kube-controller-manager --node-cidr-mask-size-ipv6 (default 64)')
            [CompletionResult]::new('--max-pods', '--max-pods', [CompletionResultType]::ParameterName, 'kubelet --max-pods (default 110)')
            [CompletionResult]::new('--kube-version', '--kube-version', [CompletionResultType]::ParameterName, 'Kubernetes version (decides whether kube-apiserver''s 20-bit service range cap applies)')
            [CompletionResult]::new('--allocator', '--allocator', [CompletionResultType]::ParameterName, 'Service IP allocator in use, when feature gates differ from the version''s defaults')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Apply a vendor''s constraints: cce (Huawei Cloud CCE / CCE Turbo)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, which may list several files, or ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The name of the kubeconfig context to use')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The name of the kubeconfig cluster to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The name of the kubeconfig user to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace scope for this request (default: the context''s namespace)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace scope for this request (default: the context''s namespace)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Username to impersonate for the operation')
            [CompletionResult]::new('--as-group', '--as-group', [CompletionResultType]::ParameterName, 'Group to impersonate for the operation (repeatable)')
            [CompletionResult]::new('--as-uid', '--as-uid', [CompletionResultType]::ParameterName, 'UID to impersonate for the operation')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a single server response; 0 waits forever (e.g. 30s, 1m)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--insecure-skip-tls-verify', '--insecure-skip-tls-verify', [CompletionResultType]::ParameterName, 'Do not verify the server''s certificate (insecure)')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Don''t print headers in table output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-ipv6_cidr;completion' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('bash', 'bash', [CompletionResultType]::ParameterValue, 'Print the bash completion script for kubectl-ipv6_cidr')
            [CompletionResult]::new('zsh', 'zsh', [CompletionResultType]::ParameterValue, 'Print the zsh completion script for kubectl-ipv6_cidr')
            [CompletionResult]::new('fish', 'fish', [CompletionResultType]::ParameterValue, 'Print the fish completion script for kubectl-ipv6_cidr')
            [CompletionResult]::new('powershell', 'powershell', [CompletionResultType]::ParameterValue, 'Print the powershell completion script for kubectl-ipv6_cidr')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Create the kubectl_complete-* executable kubectl runs for `kubectl <plugin> <TAB>`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-ipv6_cidr;completion;bash' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-ipv6_cidr;completion;zsh' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-ipv6_cidr;completion;fish' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-ipv6_cidr;completion;powershell' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-ipv6_cidr;completion;install' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Where to create it (default: next to the plugin on PATH)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-ipv6_cidr;completion;help' {
            [CompletionResult]::new('bash', 'bash', [CompletionResultType]::ParameterValue, 'Print the bash completion script for kubectl-ipv6_cidr')
            [CompletionResult]::new('zsh', 'zsh', [CompletionResultType]::ParameterValue, 'Print the zsh completion script for kubectl-ipv6_cidr')
            [CompletionResult]::new('fish', 'fish', [CompletionResultType]::ParameterValue, 'Print the fish completion script for kubectl-ipv6_cidr')
            [CompletionResult]::new('powershell', 'powershell', [CompletionResultType]::ParameterValue, 'Print the powershell completion script for kubectl-ipv6_cidr')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Create the kubectl_complete-* executable kubectl runs for `kubectl <plugin> <TAB>`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-ipv6_cidr;completion;help;bash' {
            break
        }
        'kubectl-ipv6_cidr;completion;help;zsh' {
            break
        }
        'kubectl-ipv6_cidr;completion;help;fish' {
            break
        }
        'kubectl-ipv6_cidr;completion;help;powershell' {
            break
        }
        'kubectl-ipv6_cidr;completion;help;install' {
            break
        }
        'kubectl-ipv6_cidr;completion;help;help' {
            break
        }
        'kubectl-ipv6_cidr;help' {
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Everything about an address or CIDR: network, first/last, exact count, forms, binary, type')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'The smallest prefix for N addresses, and which networks of that size are valid')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check service, pod and node ranges against Kubernetes'' rules (and a vendor profile)')
            [CompletionResult]::new('split', 'split', [CompletionResultType]::ParameterValue, 'Enumerate the subnets of a network, lazily (any count, constant memory)')
            [CompletionResult]::new('cluster', 'cluster', [CompletionResultType]::ParameterValue, 'Read the cluster''s ranges (ServiceCIDRs, the kubernetes Service, nodes'' podCIDRs) and check them')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Shell completion: print a static script, or install the dynamic completer')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-ipv6_cidr;help;info' {
            break
        }
        'kubectl-ipv6_cidr;help;plan' {
            break
        }
        'kubectl-ipv6_cidr;help;check' {
            break
        }
        'kubectl-ipv6_cidr;help;split' {
            break
        }
        'kubectl-ipv6_cidr;help;cluster' {
            break
        }
        'kubectl-ipv6_cidr;help;completion' {
            [CompletionResult]::new('bash', 'bash', [CompletionResultType]::ParameterValue, 'Print the bash completion script for kubectl-ipv6_cidr')
            [CompletionResult]::new('zsh', 'zsh', [CompletionResultType]::ParameterValue, 'Print the zsh completion script for kubectl-ipv6_cidr')
            [CompletionResult]::new('fish', 'fish', [CompletionResultType]::ParameterValue, 'Print the fish completion script for kubectl-ipv6_cidr')
            [CompletionResult]::new('powershell', 'powershell', [CompletionResultType]::ParameterValue, 'Print the powershell completion script for kubectl-ipv6_cidr')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Create the kubectl_complete-* executable kubectl runs for `kubectl <plugin> <TAB>`')
            break
        }
        'kubectl-ipv6_cidr;help;completion;bash' {
            break
        }
        'kubectl-ipv6_cidr;help;completion;zsh' {
            break
        }
        'kubectl-ipv6_cidr;help;completion;fish' {
            break
        }
        'kubectl-ipv6_cidr;help;completion;powershell' {
            break
        }
        'kubectl-ipv6_cidr;help;completion;install' {
            break
        }
        'kubectl-ipv6_cidr;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
